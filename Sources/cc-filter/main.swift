FilterCommand.runAsChainCast()
