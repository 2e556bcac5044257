import CCKit

CCFetch.runAsChainCast()
