// swift-tools-version:6.0
// StreamCRM: a streaming CRM daemon over Apache Kafka (librdkafka).
// No package dependencies: only the toolchain's modules and Debian's C libraries.
import PackageDescription

let package = Package(
    name: "StreamCRM",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "streamcrm", targets: ["streamcrm"]),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "Crdkafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Thin Kafka wrapper: knows nothing of CRM. The only target that sees rd_kafka_* types.
        .target(name: "Kafka", dependencies: ["Crdkafka"]),
        // Pure model core: no I/O, time passed in.
        .target(name: "CRMModel"),
        // The daemon: codecs, pipeline, config, state store, metrics, HTTP, lifecycle, tools.
        .target(name: "StreamCRM", dependencies: ["Kafka", "CRMModel", "CSQLite", "CSystemd", "CMicroHTTPD", "CCrypto"]),
        .executableTarget(name: "streamcrm", dependencies: ["StreamCRM"]),
        .executableTarget(name: "Benchmarks", dependencies: ["StreamCRM", "CRMModel", "Kafka"],
                          swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "CRMModelTests", dependencies: ["CRMModel"]),
        .testTarget(name: "StreamCRMTests", dependencies: ["StreamCRM", "CRMModel", "Kafka"]),
    ],
    swiftLanguageModes: [.v6]
)
