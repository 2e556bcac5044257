import CCKit

Diagnostics.error("cc-decode", "not implemented yet")
