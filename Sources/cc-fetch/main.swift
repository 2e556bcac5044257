import CCKit

Diagnostics.error("cc-fetch", "not implemented yet")
