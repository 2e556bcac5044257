// The `CCKit` library product: one import for a program built on Chain Cast's layers.
// The project's own targets import the layers they use, so the layering stays visible.
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
