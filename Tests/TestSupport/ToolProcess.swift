import Foundation

/// Runs the built `ccm-upgrade` executable from tests (it sits beside the test bundle in the build folder).
public enum ToolProcess {
    /// The checkout this file is in.
    public static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `CCM_UPGRADE_TEST_EXECUTABLE` points the tests at another build of the tool (a static release build, to
    /// test what `scripts/demo.sh` and the benchmarks run); otherwise the one beside the test bundle.
    public static let executable: String = {
        if let chosen = ProcessInfo.processInfo.environment["CCM_UPGRADE_TEST_EXECUTABLE"], !chosen.isEmpty { return chosen }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("ccm-upgrade").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return checkout + "/.build/debug/ccm-upgrade"
    }()

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs the tool in the checkout with `arguments`, stdin from `stdin` (or /dev/null). `CCM_*` variables of
    /// the test process are dropped (so a developer's CCM credentials never leak in); `environment` is added.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: checkout)
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CCM_") || $0.key.hasPrefix("CCM_UPGRADE_CORPUS") }
        merged.merge(environment) { $1 }
        process.environment = merged
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle(forReadingAtPath: "/dev/null") : input
        try process.run()
        if let stdin {
            // Small inputs only (a script, a deployment file): they fit in the pipe's buffer.
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // stderr is read on another thread so that neither pipe can fill up and block the child.
        let errorData = UnsafeSendableBox<Data>()
        let done = DispatchSemaphore(value: 0)
        let errorHandle = err.fileHandleForReading
        Thread {
            errorData.value = errorHandle.readDataToEndOfFile()
            done.signal()
        }.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: errorData.value ?? Data(), as: UTF8.self))
    }
}

/// A value handed from a reader thread to the test thread (written once, read after a semaphore).
final class UnsafeSendableBox<Value>: @unchecked Sendable {
    var value: Value?
}
