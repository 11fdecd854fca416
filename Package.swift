// swift-tools-version:6.0
// ccm-upgrade: upgrade Chocolatey Central Management safely.
//
// Layering (one-way; docs/architecture.md has the whole map):
//   CLibCrypto, swift-crypto → Hashing → FileSupport
//   Versioning, JSONOutput, FileSupport → Diagnostics → Compatibility → Planning → Deployment → ccm-upgrade
//   XMLSupport (CXML2), CArchive, FileSupport → Nupkg → Repository → ccm-upgrade
//   CCurl → CurlSupport → Repository, Deployment (only CurlSupport imports CCurl)
//   XMLSupport, Nupkg, Compatibility → Licensing → ccm-upgrade
//   (only Hashing imports CLibCrypto or Crypto; every other module hashes through Hashing's Digester)
// Versions and matrix logic never link a C library; C stays in the system-library targets and the
// one Swift module that wraps each of them.
import PackageDescription

let package = Package(
    name: "ccm-upgrade",
    products: [
        .executable(name: "ccm-upgrade", targets: ["ccm-upgrade"]),
        .library(name: "Versioning", targets: ["Versioning"]),
        .library(name: "Nupkg", targets: ["Nupkg"]),
        .library(name: "Compatibility", targets: ["Compatibility"]),
        .library(name: "Repository", targets: ["Repository"]),
        .library(name: "Planning", targets: ["Planning"]),
        .library(name: "Deployment", targets: ["Deployment"]),
        // Repository's and Deployment's public API uses these types (HTTP client, file I/O, diagnostics).
        .library(name: "CurlSupport", targets: ["CurlSupport"]),
        .library(name: "FileSupport", targets: ["FileSupport"]),
        .library(name: "Diagnostics", targets: ["Diagnostics"]),
        .library(name: "PowerShell", targets: ["PowerShell"]),
        .library(name: "Internalization", targets: ["Internalization"]),
        .library(name: "RemoteHosts", targets: ["RemoteHosts"]),
        .library(name: "Licensing", targets: ["Licensing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // MARK: C libraries (system libraries with small shim headers)

        /** libarchive: zip reading/writing for .nupkg files. */
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        /** libxml2: secure parsing of .nuspec and OData feeds. */
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        /** libcurl's headers: HTTP transport for feeds and the CCM API. Not linked (no pkgConfig, which would
            add -lcurl): CurlSupport opens the library on first use. */
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        /** OpenSSL 3's libcrypto headers (EVP digests). Not linked either: Hashing opens libcrypto on first use
            and falls back to swift-crypto without it. */
        .systemLibrary(name: "CLibCrypto", providers: [.apt(["libssl-dev"])]),

        // MARK: Pure Swift model

        /** NuGet versions and version ranges; no I/O, no C. */
        .target(name: "Versioning"),
        /** One diagnostic type (severity, rule, file:line or file:step, message, hint), its printer to stderr
            (which also owns the terminal's progress line) and did-you-mean suggestions. */
        .target(name: "Diagnostics", dependencies: ["FileSupport"]),
        /** The one JSON style of every --format json output, summary and journal. */
        .target(name: "JSONOutput"),
        /** The CCM compatibility matrix (data in matrix/) and checks over an estate. */
        .target(
            name: "Compatibility",
            dependencies: ["Versioning", "Diagnostics", "FileSupport", "JSONOutput", "RemoteHosts", .product(name: "Yams", package: "Yams")],
            plugins: ["EmbedMatrix"]
        ),

        // MARK: Hashing

        /** The one hashing API (SHA-512, SHA-256, SHA-1, MD5): the system's libcrypto when present (the fastest
            here), swift-crypto otherwise and for small inputs. The only module that imports CLibCrypto or Crypto. */
        .target(name: "Hashing", dependencies: ["CLibCrypto", .product(name: "Crypto", package: "swift-crypto")]),

        // MARK: Files

        /** All file I/O: EINTR-safe chunked reads and writes, copy-with-SHA-512, rename without replacing, the
            folder walk, atomic writes and their stale temporaries, text inputs (BOM, CRLF), blocking work off
            the cooperative pool. */
        .target(name: "FileSupport", dependencies: ["Hashing"]),

        // MARK: Packages and feeds

        /** A secure, read-only XML document over libxml2 (no DTDs, no network, no entities). */
        .target(name: "XMLSupport", dependencies: ["CXML2"]),
        /** Reading, hashing, extracting and writing .nupkg files; reading .nuspec manifests. */
        .target(
            name: "Nupkg",
            dependencies: [
                "Versioning", "XMLSupport", "CArchive", "FileSupport", "Hashing",
            ]
        ),
        /** The one HTTP client: libcurl opened on first use (dlopen), transfers on their own threads, retries
            with backoff and Retry-After, cancellation, readable curl codes. Shared by feeds and the CCM API. */
        .target(
            name: "CurlSupport",
            dependencies: [
                "CCurl", "Diagnostics", "FileSupport", "Hashing",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),


        /** The one PowerShell reader: tokens, commands, hashtables, splats and static values of package and
            deployment scripts. Pure Swift, no I/O. */
        .target(name: "PowerShell"),
        /** Internalizing in Chocolatey's sense: the remote resources a package's scripts download (found with the
            PowerShell reader), the rewrite that points them at embedded files, and the deterministic repack. */
        .target(
            name: "Internalization",
            dependencies: [
                "PowerShell", "Nupkg", "Versioning", "FileSupport", "JSONOutput", "Diagnostics", "Hashing",
            ]
        ),

        /** NuGet feeds: v2 OData, v3, local folders; download and push through CurlSupport. */
        .target(
            name: "Repository",
            dependencies: [
                "Versioning", "Nupkg", "XMLSupport", "CurlSupport", "FileSupport", "JSONOutput", "Diagnostics",
                "Internalization", "Hashing",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Licence

        /** The Chocolatey licence file: validation through the secure XML reader (the id never leaves it), expiry,
            and the deterministic `chocolatey-license` package built as Chocolatey's Quick Start builds it. */
        .target(
            name: "Licensing",
            dependencies: ["XMLSupport", "Nupkg", "Versioning", "FileSupport", "Diagnostics", "Compatibility"]
        ),

        // MARK: Remote hosts

        /** Running commands on the CCM hosts: this machine or over the system's OpenSSH client (BatchMode, strict
            host keys, secrets on stdin), and reading `choco list` output. */
        .target(
            name: "RemoteHosts",
            dependencies: ["Versioning", "FileSupport", "Diagnostics", "PowerShell", .product(name: "Subprocess", package: "swift-subprocess")]
        ),

        // MARK: Upgrade planning

        /** Upgrade plans: inventory, parameters, the ordered one-package-per-step plan, validation, rendering, running. */
        .target(
            name: "Planning",
            dependencies: [
                "Versioning", "Compatibility", "FileSupport", "Diagnostics", "JSONOutput", "PowerShell", "RemoteHosts",
                "Hashing",
            ]
        ),

        // MARK: CCM deployments

        /** Plans as CCM deployment-plan JSON (import format), its linter, and a client for CCM's REST API (through CurlSupport). */
        .target(
            name: "Deployment",
            dependencies: [
                "Versioning", "Compatibility", "Planning", "CurlSupport", "Diagnostics", "FileSupport", "JSONOutput", "PowerShell", "RemoteHosts",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Executable

        /** Thin command-line front end: parses arguments and calls the libraries. */
        .executableTarget(
            name: "ccm-upgrade",
            dependencies: [
                "Versioning", "Nupkg", "Compatibility", "Repository", "Planning", "Deployment", "FileSupport", "CurlSupport",
                "Diagnostics", "JSONOutput", "PowerShell", "Internalization", "RemoteHosts", "Hashing", "Licensing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Fuzzing

        /** libFuzzer targets over every reader of untrusted bytes. The ordinary build compiles it plain, as a
            replayer of crash inputs; scripts/fuzz.sh builds it for libFuzzer (see the end of this file). */
        .executableTarget(
            name: "ccm-upgrade-fuzz",
            dependencies: [
                "CFuzzerDriver", "Versioning", "Nupkg", "Compatibility", "Repository", "Planning", "Deployment", "FileSupport", "Internalization",
                "Licensing", "RemoteHosts",
            ],
            path: "Fuzz/Sources"
        ),
        /** The declaration of libFuzzer's LLVMFuzzerRunDriver (libFuzzer ships no header). */
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),

        // MARK: Build tools

        /** Turns the matrix/ YAML files into Swift string literals so the matrix is compiled into the binary. */
        .executableTarget(name: "EmbedMatrixTool", path: "Plugins/EmbedMatrixTool"),
        /** Build-tool plugin that runs EmbedMatrixTool for the Compatibility target. */
        .plugin(name: "EmbedMatrix", capability: .buildTool(), dependencies: ["EmbedMatrixTool"]),

        // MARK: Tests

        .testTarget(name: "HashingTests", dependencies: ["Hashing"]),
        .testTarget(name: "FileSupportTests", dependencies: ["FileSupport"]),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "JSONOutput"]),
        .testTarget(name: "XMLSupportTests", dependencies: ["XMLSupport"]),
        .testTarget(name: "VersioningTests", dependencies: ["Versioning"]),
        .testTarget(name: "NupkgTests", dependencies: ["Nupkg", "Versioning"]),
        .testTarget(name: "CompatibilityTests", dependencies: ["Compatibility", "Versioning", "RemoteHosts"]),
        /** Helpers shared by the test targets (running the built tool). Not part of the product. */
        .target(
            name: "TestSupport", dependencies: ["CurlSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "CLITests", dependencies: ["ccm-upgrade", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Compatibility", "Versioning", "Diagnostics", "RemoteHosts", "TestSupport"]),
        .testTarget(
            name: "RepositoryTests",
            dependencies: [
                "Repository", "CurlSupport", "Nupkg", "Versioning", "TestSupport", "Internalization", "PowerShell", "Licensing",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "CurlSupportTests", dependencies: ["CurlSupport", "Hashing", "TestSupport"]),
        .testTarget(name: "PowerShellTests", dependencies: ["PowerShell"]),
        .testTarget(name: "InternalizationTests", dependencies: ["Internalization", "PowerShell", "Nupkg", "TestSupport"]),
        .testTarget(name: "RemoteHostsTests", dependencies: ["RemoteHosts", "PowerShell", "TestSupport"]),
        .testTarget(
            name: "LicensingTests",
            dependencies: ["Licensing", "Planning", "Deployment", "Repository", "Nupkg", "Compatibility", "Versioning", "Diagnostics", "ccm-upgrade", "TestSupport"]
        ),
        .testTarget(name: "DeploymentTests", dependencies: ["Deployment", "CurlSupport", "Planning", "Compatibility", "Versioning", "ccm-upgrade", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

// scripts/fuzz.sh builds with CCM_UPGRADE_FUZZ=1 into its own .build-fuzz: our Swift targets get libFuzzer's
// coverage instrumentation and AddressSanitizer, and ccm-upgrade-fuzz links libFuzzer and calls its driver
// (LLVMFuzzerRunDriver). Flags per target, not -Xswiftc, because a global -sanitize=fuzzer would also link
// libFuzzer into the EmbedMatrixTool build tool. libFuzzer comes as a whole archive with its own main, which
// the executable's main (SwiftPM's --defsym main=...) must win over: hence --allow-multiple-definition, in
// that one link only.
if Context.environment["CCM_UPGRADE_FUZZ"] == "1" {
    for target in package.targets where target.type == .regular || target.name == "ccm-upgrade-fuzz" {
        target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-sanitize=fuzzer,address"])]
    }
    if let fuzz = package.targets.first(where: { $0.name == "ccm-upgrade-fuzz" }) {
        fuzz.swiftSettings = (fuzz.swiftSettings ?? []) + [.define("FUZZING")]
        fuzz.linkerSettings = [.unsafeFlags(["-sanitize=fuzzer,address", "-Xlinker", "--allow-multiple-definition"])]
    }
}
