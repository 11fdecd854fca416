@testable import CurlSupport
import Foundation
import Testing
import TestSupport

/// What a hostile server can make a transfer do, against Tests/Fixtures/slow-server (real sockets, real libcurl).
@Suite("Transfer limits and what a hostile server cannot do")
struct LimitTests {
    static func server() throws -> FixtureServer {
        try FixtureServer(script: "Tests/Fixtures/slow-server/slow_server.py", arguments: [], name: "slow server")
    }

    static func temporaryPath(_ name: String) -> String { NSTemporaryDirectory() + "ccm-limit-\(UUID().uuidString)-\(name)" }

    // (path, options, what stops it). A 2 bytes/s server is below the minimum speed; an endless body at a
    // healthy rate runs into the total time per attempt.
    static let rows: [(String, TransportOptions, String)] = [
        ("/dribble", TransportOptions(stallTimeout: 1, minimumSpeed: 100), "minimum speed"),
        ("/endless", TransportOptions(stallTimeout: 30, minimumSpeed: 1, transferTimeout: 1), "transfer timeout"),
    ]

    @Test("a slow or endless body times out instead of running for ever", arguments: rows)
    func timesOut(_ row: (String, TransportOptions, String)) async throws {
        let server = try Self.server()
        let path = Self.temporaryPath("download")
        defer { unlink(path) }
        let client = HTTPClient(transport: CurlTransport(options: row.1), retry: .none)
        let request = HTTPRequest(url: "http://127.0.0.1:\(server.port)\(row.0)", destination: .file(path: path, resume: false))
        do {
            let response = try await client.send(request)
            Issue.record("\(row.2): expected a timeout, got HTTP \(response.status)")
        } catch {
            guard case let .transport(_, code, _) = error else { Issue.record("\(row.2): \(error)"); return }
            #expect(code == .operationTimedOut, "\(row.2): \(error)")
            #expect(error.isTransient, "\(row.2): a timeout is retried within the budget")
        }
    }

    @Test("a package holding the old fixed multipart boundary arrives whole; each request gets its own boundary")
    func boundaryIsNotInTheBody() async throws {
        let server = try Self.server()
        let path = Self.temporaryPath("package.nupkg")
        defer { unlink(path) }
        // The boundary used before: a package containing it could never be pushed.
        var content = Array("PK\u{3}\u{4} start\r\n--ccm-upgrade-7f3b9c2e1d4a5b6c8e0f\r\nmore bytes\r\n".utf8)
        content += (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        let client = HTTPClient(transport: CurlTransport(), retry: .none)
        var answers: [String] = []
        for _ in 0..<2 {
            let request = HTTPRequest(method: .put, url: "http://127.0.0.1:\(server.port)/multipart",
                                      body: .multipartFile(path: path, fieldName: "package", fileName: "package.nupkg"))
            let response = try await client.send(request)
            #expect(response.status == 201)
            answers.append(String(decoding: response.body, as: UTF8.self))
        }
        let expected = "\(content.count) " + SHA256Hex.of(content)
        #expect(answers == [expected, expected], "the server's parser saw: \(answers)")
        let boundaries = Set((0..<100).map { _ in TransferContext.makeBoundary() })
        #expect(boundaries.count == 100 && boundaries.allSatisfy { $0.hasPrefix("ccm-upgrade-") && $0.count > 24 })
    }

    @Test("a server that echoes request headers cannot put the API key into the error excerpt")
    func echoedKeyIsMasked() async throws {
        let server = try Self.server()
        let key = Secret("limit-test-api-key-\(UUID().uuidString)")
        let client = HTTPClient(transport: CurlTransport(), retry: .none)
        let response = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(server.port)/echo",
                                                         headers: [("X-NuGet-ApiKey", key.value), ("Authorization", "Bearer tok-\(key.value)")]))
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self).contains(key.value), "the fixture echoes the key")
        #expect(!response.bodySnippet.contains(key.value), "\(response.bodySnippet)")
        #expect(response.bodySnippet.contains("X-NuGet-ApiKey: ********"), "\(response.bodySnippet)")
    }

    @Test("credentials inside a URL are masked in transport errors")
    func urlCredentialsInErrors() {
        let error = HTTPError.transport(url: "https://feeduser:Url-Pa55word@127.0.0.1:1/api/v2/", code: .couldntConnect, message: "refused")
        #expect(!error.description.contains("Url-Pa55word"), "\(error.description)")
        #expect(error.description.contains("feeduser:********@127.0.0.1"), "\(error.description)")
    }

    // (setting, value, accepted)
    static let rangeRows: [(NetworkSetting, Int, Bool)] = [
        (.retries, 0, true), (.retries, 20, true), (.retries, 21, false), (.retries, -1, false), (.retries, Int.max, false),
        (.jobs, 0, false), (.jobs, 32, true), (.stallTimeout, 0, false), (.minimumSpeed, 1, true),
        (.transferTimeout, Int.min, false), (.maxRetryAfter, 0, true), (.retryBudget, 86401, false),
    ]

    @Test("every network number has a range; out of range says which values are allowed", arguments: rangeRows)
    func ranges(_ row: (NetworkSetting, Int, Bool)) {
        let problem = row.0.problem(with: row.1)
        #expect((problem == nil) == row.2, "\(row.0) \(row.1): \(problem ?? "accepted")")
        if let problem { #expect(problem.contains("expected \(row.0.range.lowerBound) to \(row.0.range.upperBound)")) }
    }
}

/// SHA-256 in hex through coreutils' `sha256sum` (Crypto is not a dependency of this test target), to compare
/// with what the fixture computed from the part it parsed.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
