import CCKit

DecodeCommand.runAsChainCast()
