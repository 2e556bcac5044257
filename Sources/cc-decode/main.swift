

DecodeCommand.runAsChainCast()
