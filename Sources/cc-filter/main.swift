import CCKit

Diagnostics.error("cc-filter", "not implemented yet")
