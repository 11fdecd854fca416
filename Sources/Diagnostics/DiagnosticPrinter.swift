import FileSupport
import Foundation

/// The one writer of standard error: diagnostics, `error:`/`warning:` lines, log lines and the progress
/// line at the bottom of a terminal. Everything the tool says on stderr goes through here, under one lock,
/// so a warning from one transfer thread never cuts through the progress bar another one is redrawing.
///
/// When stderr is not a terminal (CI logs, cron mail) lines are written as they come and no bar is drawn.
public final class DiagnosticPrinter: @unchecked Sendable {
    /// The process's printer (standard error).
    public static let shared = DiagnosticPrinter(descriptor: STDERR_FILENO)

    /// True when stderr is a terminal: progress bars are drawn only then.
    public let isTerminal: Bool
    private let descriptor: Int32
    // Guarded by `lock`: lines come from many transfer tasks and threads at once.
    private let lock = NSLock()
    private var bar = ""

    /// A printer writing to `descriptor` (tests pass a pipe).
    public init(descriptor: Int32) {
        self.descriptor = descriptor
        isTerminal = isatty(descriptor) == 1
    }

    /// Prints one diagnostic in compiler style (`file:line: error: message [rule]`).
    public func report(_ diagnostic: Diagnostic) { log(diagnostic.description) }

    /// Prints diagnostics in order.
    public func report(_ diagnostics: [Diagnostic]) { for diagnostic in diagnostics { report(diagnostic) } }

    /// `error: message` — the one line a failing command prints.
    public func error(_ message: String) { log("error: " + message) }

    /// `warning: message`.
    public func warning(_ message: String) { log("warning: " + message) }

    /// Writes a line (above the progress bar on a terminal).
    public func log(_ line: String) {
        // The last line of defence: a registered secret, or a secret-shaped value (a URL's user:password@,
        // `Password=…;`, an API-key header echoed by a server), never reaches the terminal or a log file.
        let line = Redaction.mask(line)
        lock.lock()
        defer { lock.unlock() }
        write(isTerminal && !bar.isEmpty ? "\r\u{1B}[K" + line + "\n" + bar : line + "\n")
    }

    /// Replaces the progress bar (terminals only).
    public func show(_ text: String) {
        guard isTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        bar = text
        write("\r\u{1B}[K" + text)
    }

    /// Removes the progress bar so that what follows starts on a clean line.
    public func finish() {
        guard isTerminal else { return }
        lock.lock()
        defer { lock.unlock() }
        if !bar.isEmpty { write("\r\u{1B}[K") }
        bar = ""
    }

    private func write(_ text: String) {
        // A failed write to stderr (closed, full) cannot be reported anywhere: dropped.
        try? FileIO.writeAll(descriptor, Array(text.utf8), path: "standard error")
    }
}
