FetchCommand.runAsChainCast()
