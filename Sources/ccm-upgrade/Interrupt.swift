import Diagnostics
import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM cancel the running command's task instead of killing the process: transfers
/// stop at their next progress callback, journals are saved, temporary files are removed, and the command
/// ends with exit code 130. A second Ctrl-C exits at once (the journals stay valid: they are written
/// atomically).
enum Interrupt {
    /// The exit code of an interrupted command (128 + SIGINT, as shells report it).
    static let exitCode: Int32 = 130

    /// Runs `body` in a task that the signals cancel.
    static func cancellingOnSignal(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        let state = SignalState()
        var sources: [DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if state.interruptOnce() {
                    DiagnosticPrinter.shared.finish()
                    DiagnosticPrinter.shared.log("interrupted: stopping after saving what is done (press Ctrl-C again to quit at once)")
                    task.cancel()
                } else {
                    Foundation.exit(exitCode)
                }
            }
            source.resume()
            sources.append(source)
        }
        defer { for source in sources { source.cancel() } }
        let result = await task.result
        if state.wasInterrupted {
            DiagnosticPrinter.shared.finish()
            DiagnosticPrinter.shared.error("interrupted; run the same command again to resume")
            Foundation.exit(exitCode)
        }
        try result.get()
    }

    private final class SignalState: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        /// True for the first signal.
        func interruptOnce() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count == 1
        }
        var wasInterrupted: Bool {
            lock.lock()
            defer { lock.unlock() }
            return count > 0
        }
    }
}
