// swift-tools-version: 6.1
import PackageDescription

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let layerNames = [
    "CCCore", "CCJSON", "CCEthereum", "CCStream", "CCABI", "CCHTTP", "CCRPC", "CCFetch", "CCFilter", "CCSink", "CCCLI",
]

/// Tests reach into every layer (`@testable import` needs a direct dependency).
let testDependencies: [Target.Dependency] = ["CCKit", "CCTestSupport"] + layerNames.map { .target(name: $0) }

/// One CCKit layer: the folder `Sources/CCKit/<folder>` as a target of its own.
func layer(_ name: String, _ folder: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, path: "Sources/CCKit/\(folder)", swiftSettings: hotPath)
}

/// The per-line hot path crosses layers (cc-decode: CCJSON's scanner and writer, CCEthereum's
/// checksums, CCABI's decoder): without cross-module optimization every small accessor of a
/// lower layer becomes an opaque call in release builds, which cost cc-decode about a third
/// of its speed when the library was split into targets.
///
/// Dynamic exclusivity checks are off in release builds only. Once the tape's storage
/// (`JSONTape.entries`, `.base`) is read from another module, the optimizer can no longer
/// prove those class properties are not being modified, and every field read of every line
/// paid a `swift_beginAccess` (about 15% of cc-decode's CPU in `perf`). Debug builds, which
/// run the whole test suite, keep the checks, so a conflicting access still traps there.
let hotPath: [SwiftSetting] = [
    .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
    name: "chaincast",
    products: [
        .executable(name: "cc-fetch", targets: ["cc-fetch"]),
        .executable(name: "cc-decode", targets: ["cc-decode"]),
        .executable(name: "cc-filter", targets: ["cc-filter"]),
        .executable(name: "cc-sink", targets: ["cc-sink"]),
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
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres",
            pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // CCKit's layers, bottom to top: each target may use only the ones listed before it,
        // and the compiler holds every file to that (docs/ARCHITECTURE.md draws the graph).
        layer("CCCore", "Core", []),
        layer("CCJSON", "JSON", ["CCCore"]),
        layer("CCEthereum", "Ethereum", ["CCCore", "CCJSON", "CSecp256k1"]),
        layer("CCStream", "Stream", ["CCCore", "CCJSON", "CCEthereum", crypto]),
        layer("CCABI", "ABI", ["CCCore", "CCJSON", "CCEthereum", "CCStream"]),
        layer("CCHTTP", "HTTP", ["CCCore", "CCurl"]),
        layer("CCRPC", "RPC", ["CCCore", "CCJSON", "CCStream", "CCHTTP"]),
        layer("CCFetch", "Fetch", ["CCCore", "CCJSON", "CCEthereum", "CCStream", "CCABI", "CCRPC", crypto]),
        layer("CCFilter", "Filter", ["CCCore", "CCJSON", "CCEthereum", "CCStream"]),
        layer(
            "CCSink", "Sink",
            ["CCCore", "CCJSON", "CCEthereum", "CCStream", "CCABI", "CCHTTP", "CCurl", "CSQLite", "CPostgres", crypto]),
        // The argument-parser glue only the four executables use.
        layer("CCCLI", "CLI", ["CCCore", "CCJSON", "CCStream", argumentParser]),
        // One import of every layer for the test suites; deliberately not a product (README, Layout).
        .target(name: "CCKit", dependencies: layerNames.map { .target(name: $0) }, path: "Sources/CCKit/Exports"),
        .executableTarget(
            name: "cc-fetch",
            dependencies: ["CCCore", "CCJSON", "CCStream", "CCHTTP", "CCRPC", "CCFetch", "CCCLI", argumentParser],
            swiftSettings: hotPath),
        .executableTarget(
            name: "cc-decode",
            dependencies: ["CCCore", "CCJSON", "CCEthereum", "CCStream", "CCABI", "CCCLI", argumentParser],
            swiftSettings: hotPath),
        .executableTarget(
            name: "cc-filter", dependencies: ["CCCore", "CCJSON", "CCStream", "CCFilter", "CCCLI", argumentParser],
            swiftSettings: hotPath),
        .executableTarget(
            name: "cc-sink", dependencies: ["CCCore", "CCJSON", "CCStream", "CCSink", "CCCLI", argumentParser],
            swiftSettings: hotPath),
        // Microbenchmarks of single layers (`make bench` runs them with the release build).
        .executableTarget(name: "json-microbench", dependencies: ["CCCore", "CCJSON"], path: "bench/json-microbench"),
        .executableTarget(
            name: "eth-microbench", dependencies: ["CCCore", "CCEthereum"], path: "bench/eth-microbench"),
        .target(name: "CCTestSupport", dependencies: ["CCKit"], path: "Tests/TestSupport"),
        .testTarget(name: "FoundationTests", dependencies: testDependencies),
        .testTarget(name: "DecodeTests", dependencies: testDependencies),
        .testTarget(name: "FetchTests", dependencies: testDependencies),
        .testTarget(name: "SinkTests", dependencies: testDependencies + [crypto]),
        .testTarget(name: "FilterTests", dependencies: testDependencies),
    ],
    swiftLanguageModes: [.v6]
)
