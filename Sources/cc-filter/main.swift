

FilterCommand.runAsChainCast()
