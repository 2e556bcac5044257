import CCKit

CCSink.runAsChainCast()
