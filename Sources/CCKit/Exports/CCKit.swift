// One import of every layer, for the test suites. The commands and the layers import
// exactly the layers they use, so the layering stays visible and enforced.
@_exported import CCABI
@_exported import CCCLI
@_exported import CCCore
@_exported import CCEthereum
@_exported import CCFetch
@_exported import CCFilter
@_exported import CCHTTP
@_exported import CCJSON
@_exported import CCRPC
@_exported import CCSink
@_exported import CCStream
