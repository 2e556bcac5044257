import CCKit

Diagnostics.error("cc-sink", "not implemented yet")
