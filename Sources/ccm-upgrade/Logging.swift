import Logging

/// Sends `.notice` and louder lines to the status line on stderr (above a progress bar), as the retry
/// lines went before swift-log; `.info` and `.debug` are dropped. A stand-in until the
/// `--verbose`/`--debug` logging setup replaces it.
struct StatusLineLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .notice

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        StatusLine.shared.log(event.message.description)
    }
}

extension Logger {
    /// The logger the feed and CCM clients get (see ``StatusLineLogHandler``).
    static let statusLine = Logger(label: "ccm-upgrade") { _ in StatusLineLogHandler() }
}
