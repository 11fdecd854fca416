import CurlSupport
import Foundation
import Repository
import Testing
import TestSupport

/// The shared corpus (../shared/corpus from the checkout, or CCM_UPGRADE_CORPUS).
enum Corpus {
    static let checkout: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let root: String = {
        if let override = ProcessInfo.processInfo.environment["CCM_UPGRADE_CORPUS"] { return override }
        return checkout.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }()

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
    }

    static func package(_ name: String) -> String { root + "/nupkg/real/" + name }
}

/// A fresh temporary directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ccm-feeds-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func copy(_ source: String, as name: String? = nil) throws -> String {
        let target = path + "/" + (name ?? URL(fileURLWithPath: source).lastPathComponent)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }
}

/// Runs `arguments` and returns (status, stdout + stderr).
@discardableResult
func run(_ arguments: [String], directory: String? = nil, environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A client with quick retries, for tests (no timed assertions: only the number of tries matters).
func testClient(attempts: Int = 4, stallTimeout: Int = 2) -> HTTPClient {
    HTTPClient(transport: CurlTransport(options: TransportOptions(connectTimeout: 5, stallTimeout: stallTimeout)),
               retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.05, maxDelay: 0.2, maxRetryAfter: 5))
}

/// The project's TEST FAKE feed server (Tests/Fixtures/fake-feed/fake_feed.py) on 127.0.0.1 and a free port.
final class FakeFeed {
    let server: FixtureServer
    var port: Int { server.port }
    let packages: TemporaryDirectory
    let logPath: String

    var base: String { "http://127.0.0.1:\(port)" }
    var v2: String { base + "/feed/api/v2/" }
    var v3: String { base + "/feed/v3/index.json" }
    func recorded(_ name: String) -> String { base + "/rec/" + name }

    /// Starts the fake with copies of `packages` (corpus file names) and of `files` (paths), and extra flags
    /// (faults, ...).
    init(packages names: [String] = [], files: [String] = [], arguments: [String] = []) throws {
        packages = try TemporaryDirectory()
        for name in names { _ = try packages.copy(Corpus.package(name)) }
        for file in files { _ = try packages.copy(file) }
        logPath = packages.path + "/.requests.log"
        server = try FixtureServer(script: "Tests/Fixtures/fake-feed/fake_feed.py",
                                   arguments: ["--packages", packages.path, "--corpus", Corpus.root + "/feeds", "--log", logPath] + arguments,
                                   name: "fake feed")
    }

    /// The request lines the fake logged: `METHOD PATH RANGE`.
    var requests: [String] {
        FixtureServer.lines(of: logPath)
    }

    deinit {
        packages.cleanup()
    }
}

struct FakeFeedError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
