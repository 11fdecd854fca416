import Diagnostics
import Logging

/// The one logging setup: every library logs through swift-log, and this handler writes what the chosen
/// level lets through to stderr via ``DiagnosticPrinter`` (above the progress bar, registered secrets
/// masked). Levels: the default shows `.notice` and louder (retry lines, warnings); `--verbose` adds
/// `.info` (each HTTP request and each choco command); `--debug` adds `.debug` (retry decisions, timings).
struct PrinterLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // Secrets are masked by the printer (URLs with user:password@, known secret values).
        let text = event.message.description
        switch event.level {
        case .trace, .debug: DiagnosticPrinter.shared.log("debug: " + text)
        case .info, .notice: DiagnosticPrinter.shared.log(text)
        // Libraries throw their errors; a logged error is a warning here, so that a failing command still
        // prints exactly one `error:` line.
        case .warning, .error, .critical: DiagnosticPrinter.shared.warning(text)
        }
    }
}

extension Logger {
    /// The logger the feed, CCM and choco clients get, at the level of `--verbose`/`--debug`.
    static let tool: Logger = {
        let level: Logger.Level
        switch ChocoHabits.verbosity {
        case .normal: level = .notice
        case .verbose: level = .info
        case .debug: level = .debug
        }
        return Logger(label: "ccm-upgrade") { _ in PrinterLogHandler(logLevel: level) }
    }()
}
