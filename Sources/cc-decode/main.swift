DecodeCommand.runAsChainCast()
