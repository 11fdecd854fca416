import CurlSupport
import ArgumentParser
import Foundation
import Repository

/// Network and configuration flags shared by `download`, `push` and `internalize`. No secret is accepted on
/// the command line: passwords and API keys come from the config file, environment variables or files.
struct FeedOptions: ParsableArguments {
    @Option(help: "Feeds config file (JSON; default $CCM_UPGRADE_FEEDS_CONFIG, ~/.config/ccm-upgrade/feeds.json, /etc/ccm-upgrade/feeds.json).")
    var config: String?

    @Option(help: "Proxy URL (default: the http_proxy/https_proxy/no_proxy environment, as libcurl reads it).")
    var proxy: String?

    @Option(help: "PEM CA bundle to trust for HTTPS.")
    var caBundle: String?

    @Flag(help: "Do not verify TLS certificates (lab feeds only; insecure).")
    var insecureSkipTlsVerify = false

    @Option(help: "Retries for timeouts, resets, 5xx and 429 (exponential backoff with jitter).")
    var retries: Int?

    @Option(help: "Seconds without data before a transfer counts as stalled and is retried.")
    var stallTimeout: Int?

    @Option(help: "Transfers running at once.")
    var jobs: Int?

    /// Loads the settings and applies the flags; prints the warnings (a loud one for disabled TLS checks).
    func settings() throws -> FeedSettings {
        var settings: FeedSettings
        do {
            settings = try FeedSettings.load(path: config)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        if let proxy { settings.transport.proxy = proxy }
        if let caBundle { settings.transport.caBundle = caBundle }
        if insecureSkipTlsVerify { settings.transport.verifyTLS = false }
        if let retries { settings.retry.maxAttempts = max(1, retries + 1) }
        if let stallTimeout { settings.transport.stallTimeout = max(1, stallTimeout) }
        if let jobs { settings.transport.maxConcurrentTransfers = max(1, jobs) }
        for warning in settings.warnings { Console.warning(warning) }
        if !settings.transport.verifyTLS {
            Console.warning("TLS CERTIFICATE VERIFICATION IS DISABLED: anyone on the network path can impersonate the feeds "
                + "and serve modified packages. Use --ca-bundle with your internal CA instead.")
        }
        return settings
    }

    /// The named or ad-hoc source, or exit 2 with the reason.
    func source(_ reference: String, in settings: FeedSettings) throws -> FeedSource {
        do { return try settings.source(reference) } catch {
            throw CommandFailure.badInput(error.description)
        }
    }

    /// A folder push target is created when missing (as `nuget push` does); other kinds are left alone.
    func prepareTarget(_ source: FeedSource) throws {
        guard source.kind == .folder else { return }
        do {
            try FileManager.default.createDirectory(atPath: FolderFeed(path: source.location).path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.badInput("\(source.location): cannot create the target folder: \(error.localizedDescription)")
        }
    }

    /// Retry lines and progress go to stderr (above the progress bar on a terminal).
    static let log: @Sendable (String) -> Void = { line in StatusLine.shared.log(line) }
}

/// Where an API key comes from: `--api-key-env NAME` or `--api-key-file PATH` (never the key itself).
struct APIKeyOptions: ParsableArguments {
    @Option(help: "Name of the environment variable holding the API key (default: the config, then $CCM_UPGRADE_API_KEY).")
    var apiKeyEnv: String?

    @Option(help: "File holding the API key.")
    var apiKeyFile: String?

    /// Applies the key to `source`, or exits 2 when the variable or file is missing.
    func apply(to source: inout FeedSource) throws {
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw CommandFailure.badInput("--api-key-env: environment variable \(apiKeyEnv) is not set")
            }
            source.apiKey = Secret(value)
        }
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
                throw CommandFailure.badInput("\(apiKeyFile): cannot read the API key file")
            }
            source.apiKey = Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}

/// Progress of one transfer on a terminal: the bottom line of stderr (``StatusLine``, so retry lines scroll
/// above it), rewritten at most every 1 %; the finished line stays.
enum TransferProgress {
    static func reporter(label: String) -> (@Sendable (Int64, Int64) -> Void)? {
        guard StatusLine.shared.isTerminal else { return nil }
        let last = LastPercent()
        return { done, total in
            guard total > 0 else { return }
            let percent = Int(done * 100 / total)
            guard last.advance(to: percent) else { return }
            let line = "\(label) \(percent)% (\(done)/\(total) bytes)"
            if percent >= 100 {
                StatusLine.shared.finish()
                StatusLine.shared.log(line)
            } else {
                StatusLine.shared.show(line)
            }
        }
    }

    final class LastPercent: @unchecked Sendable {
        private let lock = NSLock()
        private var value = -1
        func advance(to percent: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard percent != value else { return false }
            value = percent
            return true
        }
    }
}
