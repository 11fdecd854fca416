import Foundation
import Repository

/// A progress line kept at the bottom of a terminal (stderr) while log lines scroll above it. When stderr is
/// not a terminal (CI logs, cron mail), log lines are written as they come and no bar is drawn.
final class StatusLine: @unchecked Sendable {
    static let shared = StatusLine()

    let isTerminal = isatty(STDERR_FILENO) == 1
    // Guarded by `lock`: log lines come from many transfer tasks at once.
    private let lock = NSLock()
    private var bar = ""

    /// Writes a log line (above the bar on a terminal).
    func log(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        write(isTerminal && !bar.isEmpty ? "\r\u{1B}[K" + line + "\n" + bar : line + "\n")
    }

    /// Replaces the bar (terminals only).
    func show(_ text: String) {
        guard isTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        bar = text
        write("\r\u{1B}[K" + text)
    }

    /// Removes the bar so that the summary starts on a clean line.
    func finish() {
        guard isTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        if !bar.isEmpty { write("\r\u{1B}[K") }
        bar = ""
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    /// `internalize [#########---------------] 37/120  pushed 30  present 5  problems 2`
    static func bar(_ progress: InternalizeProgress, width: Int = 24) -> String {
        let filled = progress.total == 0 ? width : min(width, progress.finished * width / progress.total)
        return "internalize [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(progress.finished)/\(progress.total)  pushed \(progress.pushed)  present \(progress.alreadyPresent)  problems \(progress.problems)"
    }
}
