import Foundation
@testable import Deployment

/// The project's TEST FAKE of the CCM API (Tests/Fixtures/fake-ccm/fake_ccm.py) on 127.0.0.1 and a free
/// port. Not a CCM server: built from the wire format documented in ccm.md §10.
final class FakeCCM: @unchecked Sendable {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let user = "ccmadmin"
    static let password = "correct horse&=%"

    let process = Process()
    /// The fake's stdin: when this process ends, however it ends, the fake sees EOF and exits.
    let lifeline = Pipe()
    let port: Int
    let directory: String
    let logPath: String
    let scheme: String

    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    init(_ arguments: [String] = [], tls: (cert: String, key: String)? = nil) throws {
        directory = NSTemporaryDirectory() + "fake-ccm-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/requests.log"
        scheme = tls == nil ? "http" : "https"
        let script = Self.checkout.appendingPathComponent("Tests/Fixtures/fake-ccm/fake_ccm.py").path
        var all = ["python3", script, "--user", Self.user, "--password", Self.password, "--log", logPath, "--exit-on-stdin-eof"] + arguments
        if let tls { all += ["--tls-cert", tls.cert, "--tls-key", tls.key] }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = all
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = lifeline
        try process.run()
        var line: [UInt8] = []
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw FakeError(message: "fake CCM did not start (python3 missing?): '\(text)'")
        }
        self.port = port
    }

    /// The requests the fake logged: `METHOD PATH [JSON body]`.
    var requests: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func client(password: String = FakeCCM.password, caBundle: String? = nil) throws -> CCMClient {
        try CCMClient(baseURL: base, credentials: CCMCredentials(username: Self.user, password: password),
                      transport: CurlCCMTransport(options: CCMConnectionOptions(caBundle: caBundle, connectTimeout: 5, requestTimeout: 30)))
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct FakeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
