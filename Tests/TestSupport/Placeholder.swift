import CCKit
