

FetchCommand.runAsChainCast()
