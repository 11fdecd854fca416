import Foundation

/// A test fixture server (one of the project's Python fakes under Tests/Fixtures) on 127.0.0.1: started with
/// `python3 SCRIPT ARGUMENTS`, it prints `PORT <n>` on its first line once it listens. Killed in `deinit`.
public final class FixtureServer: @unchecked Sendable {
    public let process = Process()
    /// The server's stdin: when the test process ends, however it ends, the server sees EOF (servers that
    /// watch stdin exit then).
    private let lifeline = Pipe()
    public let port: Int

    /// Starts `script` (relative to the checkout) and waits for its port; `name` labels the error.
    public init(script: String, arguments: [String], name: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ToolProcess.checkout + "/" + script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = lifeline
        try process.run()
        var line: [UInt8] = []
        while let byte = try pipe.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureServerError(message: "\(name) did not start (python3 missing?): '\(text)'")
        }
        self.port = port
    }

    /// Lines of a request log the server writes.
    public static func lines(of path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        try? lifeline.fileHandleForWriting.close()
        // SIGKILL: the child may have inherited a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

public struct FixtureServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
