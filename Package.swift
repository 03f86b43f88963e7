// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "crew",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crew", targets: ["crew"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Domain rules: roles, plans, seats, errors, tokens. No I/O.
        .target(
            name: "CrewCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Persistence: FluentKit models, migrations, the database service.
        .target(
            name: "CrewStore",
            dependencies: [
                "CrewCore",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Social platforms: OAuth 2 flows, token refresh, profiles, publishing,
        // inbox and metrics, spoken over HTTP.
        .target(
            name: "CrewConnectors",
            dependencies: [
                "CrewCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // Mail on the wire: MIME messages and a small SMTP client on SwiftNIO.
        .target(
            name: "CrewMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The built-in `sandbox` platform: a small fake social network.
        .target(
            name: "CrewSandbox",
            dependencies: [
                "CrewCore", "CrewConnectors",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // Use cases: accounts of people, workspaces; transactions live here.
        .target(
            name: "CrewServices",
            dependencies: [
                "CrewCore",
                "CrewStore",
                "CrewConnectors",
                "CrewMail",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/mail")],
            swiftSettings: strict
        ),
        // JSON API: request contexts, authentication, problem+json, controllers.
        .target(
            name: "CrewHTTP",
            dependencies: [
                "CrewCore",
                "CrewConnectors",
                "CrewServices",
                "CrewStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        // Server-rendered HTML pages.
        .target(
            name: "CrewWeb",
            dependencies: [
                "CrewCore",
                "CrewServices",
                "CrewStore",
                "CrewHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Resources/templates"), .copy("Resources/static")],
            swiftSettings: strict
        ),
        // Composition root: configuration and wiring.
        .target(
            name: "CrewApp",
            dependencies: [
                "CrewCore", "CrewStore", "CrewServices", "CrewHTTP", "CrewWeb", "CrewConnectors", "CrewSandbox", "CrewMail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "crew",
            dependencies: [
                "CrewApp", "CrewCore", "CrewStore", "CrewServices", "CrewSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // In-process measurements of the team features (see bench/README.md).
        .executableTarget(
            name: "crew-bench",
            dependencies: ["CrewApp", "CrewCore", "CrewStore", "CrewServices", "CrewConnectors", "CrewTestSupport"],
            path: "bench/Sources/crew-bench",
            swiftSettings: strict
        ),
        .target(
            name: "CrewTestSupport",
            dependencies: [
                "CrewApp", "CrewCore", "CrewStore", "CrewServices", "CrewHTTP", "CrewConnectors", "CrewSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CrewCoreTests",
            dependencies: ["CrewCore", "CrewConnectors", "CrewMail"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CrewAppTests",
            dependencies: [
                "CrewApp", "CrewCore", "CrewStore", "CrewServices", "CrewHTTP", "CrewWeb", "CrewTestSupport", "CrewConnectors",
                "CrewSandbox",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
    ]
)
