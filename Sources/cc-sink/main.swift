SinkCommand.runAsChainCast()
