

SinkCommand.runAsChainCast()
