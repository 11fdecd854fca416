import CurlSupport
import Foundation
import TestSupport
@testable import Deployment

/// The project's TEST FAKE of the CCM API (Tests/Fixtures/fake-ccm/fake_ccm.py) on 127.0.0.1 and a free
/// port. Not a CCM server: built from the wire format documented in ccm.md §10.
final class FakeCCM: @unchecked Sendable {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let user = "ccmadmin"
    static let password = "correct horse&=%"

    let server: FixtureServer
    var port: Int { server.port }
    let directory: String
    let logPath: String
    let scheme: String

    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    init(_ arguments: [String] = [], tls: (cert: String, key: String)? = nil) throws {
        directory = NSTemporaryDirectory() + "fake-ccm-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/requests.log"
        scheme = tls == nil ? "http" : "https"
        var all = ["--user", Self.user, "--password", Self.password, "--log", logPath, "--exit-on-stdin-eof"] + arguments
        if let tls { all += ["--tls-cert", tls.cert, "--tls-key", tls.key] }
        server = try FixtureServer(script: "Tests/Fixtures/fake-ccm/fake_ccm.py", arguments: all, name: "fake CCM")
    }

    /// The requests the fake logged: `METHOD PATH [JSON body]`.
    var requests: [String] {
        FixtureServer.lines(of: logPath)
    }

    func client(password: String = FakeCCM.password, caBundle: String? = nil, retry: RetryPolicy = .ccm) throws -> CCMClient {
        try CCMClient(baseURL: base, credentials: Credentials(username: Self.user, password: Secret(password)),
                      options: CCMConnectionOptions(caBundle: caBundle, connectTimeout: 5, requestTimeout: 30), retry: retry)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct FakeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
