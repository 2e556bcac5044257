// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "chaincast",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cc-fetch", targets: ["cc-fetch"]),
        .executable(name: "cc-decode", targets: ["cc-decode"]),
        .executable(name: "cc-filter", targets: ["cc-filter"]),
        .executable(name: "cc-sink", targets: ["cc-sink"]),
        .library(name: "CCKit", targets: ["CCKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // HMAC-SHA256 / SHA-256 for webhook signatures: the issue forbids rolling our own.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl",
            pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSecp256k1", path: "Sources/CSecp256k1",
            pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite",
            pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(
            name: "CCKit",
            dependencies: [
                "CCurl", "CSecp256k1", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "cc-fetch",
            dependencies: ["CCKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "cc-decode",
            dependencies: ["CCKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "cc-filter",
            dependencies: ["CCKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "cc-sink",
            dependencies: ["CCKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "CCTestSupport", dependencies: ["CCKit"], path: "Tests/TestSupport"),
        .testTarget(name: "FoundationTests", dependencies: ["CCKit", "CCTestSupport"]),
        .testTarget(name: "DecodeTests", dependencies: ["CCKit", "CCTestSupport"]),
        .testTarget(name: "FetchTests", dependencies: ["CCKit", "CCTestSupport"]),
        .testTarget(
            name: "SinkTests",
            dependencies: ["CCKit", "CCTestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "FilterTests", dependencies: ["CCKit", "CCTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
