import CCKit

FilterCommand.runAsChainCast()
