import CurlSupport
import ArgumentParser
import Foundation
import Repository
import FileSupport

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

    @Option(help: "Seconds allowed to establish a connection (default 30).")
    var connectTimeout: Int?

    @Option(help: "Seconds below the minimum speed before a transfer counts as stalled and is retried (default 60).")
    var stallTimeout: Int?

    @Option(help: "Slowest transfer rate tolerated, in bytes per second, averaged over the stall timeout (default 1024).")
    var minimumSpeed: Int?

    @Option(help: "Seconds one attempt of a transfer may take in all (default 3600).")
    var transferTimeout: Int?

    @Option(help: "Longest Retry-After honoured, in seconds; a 429 asking for more fails at once (default 60).")
    var maxRetryAfter: Int?

    @Option(help: "Seconds one request may spend waiting between retries, all waits together (default 180).")
    var retryBudget: Int?

    @Option(help: "Transfers running at once.")
    var jobs: Int?

    /// Every number given, by setting.
    private var numbers: [(NetworkSetting, Int)] {
        let all: [(NetworkSetting, Int?)] = [
            (.retries, retries), (.connectTimeout, connectTimeout), (.stallTimeout, stallTimeout), (.minimumSpeed, minimumSpeed),
            (.transferTimeout, transferTimeout), (.maxRetryAfter, maxRetryAfter), (.retryBudget, retryBudget), (.jobs, jobs),
        ]
        return all.compactMap { setting, value in value.map { (setting, $0) } }
    }

    /// Range-checks every number before anything runs (`--retries 9223372036854775807` used to overflow).
    func validate() throws {
        for (setting, value) in numbers {
            if let problem = setting.problem(with: value) { throw ValidationError("\(setting.flag): \(problem)") }
        }
    }

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
        // The numbers were range-checked by `validate()` when the arguments were parsed.
        if let retries { settings.retry.maxAttempts = retries + 1 }
        if let connectTimeout { settings.transport.connectTimeout = connectTimeout }
        if let stallTimeout { settings.transport.stallTimeout = stallTimeout }
        if let minimumSpeed { settings.transport.minimumSpeed = minimumSpeed }
        if let transferTimeout { settings.transport.transferTimeout = transferTimeout }
        if let maxRetryAfter { settings.retry.maxRetryAfter = Double(maxRetryAfter) }
        if let retryBudget { settings.retry.retryBudget = Double(retryBudget) }
        if let jobs { settings.transport.maxConcurrentTransfers = jobs }
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

    /// The feeds that `requests` come from, opened on `http`, with the warnings every command that downloads
    /// through them owes the user: a source that is community.chocolatey.org itself (rate limits: name your
    /// repository's proxy of it), and licensed packages asked for without licensed credentials.
    func openSources(for requests: [PackageRequest], in settings: FeedSettings, http: HTTPClient) throws -> [String: any PackageFeed] {
        var sources: [String: any PackageFeed] = [:]
        for name in Set(requests.map(\.source)).sorted() {
            let source = try source(name, in: settings)
            if let warning = FeedSettings.directCommunityWarning(for: source) { Console.warning(warning) }
            sources[name] = source.makeFeed(http: http)
        }
        if requests.contains(where: { $0.source == "licensed" }), settings.sources["licensed"]?.credentials == nil {
            Console.warning("no credentials for the licensed repository: set \(FeedSettings.Environment.licenseId) to your license id "
                + "or configure 'licensed' in the feeds config")
        }
        return sources
    }

    /// The feed a command pushes to: `name` from the config (or a URL or folder), checked by `vet` (e.g. a
    /// licence package refused for a public repository) before its API key is applied, and a folder target
    /// created when missing (as `nuget push` does).
    func pushTarget(_ name: String, in settings: FeedSettings, apiKey: APIKeyOptions,
                    vet: (FeedSource) throws -> Void = { _ in }) throws -> FeedSource {
        var target = try source(name, in: settings)
        try vet(target)
        try apiKey.apply(to: &target)
        try prepareTarget(target)
        return target
    }

    private func prepareTarget(_ source: FeedSource) throws {
        guard source.kind == .folder else { return }
        do {
            try FileManager.default.createDirectory(atPath: FolderFeed(path: source.location).path, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.badInput("\(source.location): cannot create the target folder: \(error.localizedDescription)")
        }
    }

    /// " (HTTP 201)" after a push to a server, " (push answered 409)" after a refused one; nothing for a
    /// folder, which answers no HTTP status.
    static func answer(_ status: Int, of feed: any PackageFeed, refused: Bool) -> String {
        guard !(feed is FolderFeed) else { return "" }
        return refused ? " (push answered \(status))" : " (HTTP \(status))"
    }

    /// Retry lines and progress go to stderr (above the progress bar on a terminal).
    static let log: @Sendable (String) -> Void = { line in StatusLine.shared.log(line) }
}

/// `--timeout` of the commands that push (push, license push): seconds allowed for an upload, checked against
/// the range every network setting has; without it, the config's `pushTimeout`.
struct PushTimeoutOptions: ParsableArguments {
    @Option(name: .customLong("timeout"), help: "Seconds allowed for each upload (default: the config's pushTimeout, else no limit beyond the stall timeout).")
    var seconds: Int?

    func validate() throws {
        if let seconds, let problem = NetworkSetting.pushTimeout.problem(with: seconds) {
            throw ValidationError("\(NetworkSetting.pushTimeout.flag): \(problem)")
        }
    }

    /// The timeout to push with: the flag, else the config's.
    func value(in settings: FeedSettings) -> Int? { seconds ?? settings.pushTimeout }
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
            // Through TextFile: a key saved by Notepad carries a BOM, which would otherwise become part of it.
            let text: String
            do { text = try TextFile.read(atPath: apiKeyFile) } catch { throw CommandFailure.badInput("--api-key-file: \(error)") }
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
