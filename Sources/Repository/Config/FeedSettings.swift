import CurlSupport
import Diagnostics
import Foundation
import Logging

/// Where a source lives and how to authenticate to it. Built from the config file, environment variables
/// and the built-in `community` and `licensed` sources; secrets are ``Secret`` values and never printed.
public struct FeedSource: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case v2, v3, folder
    }

    /// The name in the config (`community`, `internal`), or the location itself for ad-hoc sources.
    public var name: String
    /// URL (v2 service root or v3 `index.json`) or folder path.
    public var location: String
    public var kind: Kind
    public var credentials: Credentials?
    public var apiKey: Secret?
    /// An explicit push URL; otherwise NuGet's rule (``V2Feed/pushURL(for:)``) or v3 `PackagePublish`.
    public var pushURL: String?

    public init(name: String, location: String, kind: Kind? = nil, credentials: Credentials? = nil, apiKey: Secret? = nil,
                pushURL: String? = nil) {
        self.name = name
        self.location = location
        // A password inside the URL is a secret like any other: masked wherever the URL is printed or stored.
        for url in [location, pushURL ?? ""] { Self.registerURLPassword(url) }
        self.kind = kind ?? Self.detectKind(location)
        self.credentials = credentials
        self.apiKey = apiKey
        self.pushURL = pushURL
    }

    /// Registers the password of a `scheme://user:password@host/` URL with ``Redaction``.
    static func registerURLPassword(_ url: String) {
        guard let components = URLComponents(string: url), let password = components.password, !password.isEmpty else { return }
        Redaction.register(password)
        Redaction.register(components.percentEncodedPassword ?? password)
    }

    /// v3 when the URL ends in `.json` (as NuGet.Client decides), v2 for other http(s) URLs, a folder otherwise.
    public static func detectKind(_ location: String) -> Kind {
        let lower = location.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return .folder }
        let path = lower.split(separator: "?").first.map(String.init) ?? lower
        return path.hasSuffix(".json") ? .v3 : .v2
    }

    /// The source is the Chocolatey Community Repository itself (`community.chocolatey.org`, or its old
    /// address `chocolatey.org/api/v2`), not an organisation's proxy of it.
    public var isCommunityRepositoryDirect: Bool {
        guard kind != .folder, let host = URLComponents(string: location)?.host?.lowercased() else { return false }
        if host == "community.chocolatey.org" { return true }
        return ["chocolatey.org", "www.chocolatey.org"].contains(host) && location.lowercased().contains("/api/v2")
    }

    /// The feed client for this source.
    public func makeFeed(http: HTTPClient) -> any PackageFeed {
        switch kind {
        case .v2: return V2Feed(url: location, credentials: credentials, apiKey: apiKey, pushURL: pushURL, http: http)
        case .v3: return V3Feed(indexURL: location, credentials: credentials, apiKey: apiKey, http: http)
        case .folder: return FolderFeed(path: location)
        }
    }
}

/// Feed settings: named sources and network options, from `feeds.json` plus the environment.
///
/// ```json
/// {
///   "sources": {
///     "licensed": { "url": "https://licensedpackages.chocolatey.org/api/v2/", "username": "customer",
///                   "passwordEnv": "CCM_UPGRADE_LICENSE_ID" },
///     "internal": { "url": "https://nexus.example.com/repository/choco/", "apiKeyFile": "/etc/ccm-upgrade/nexus.key" }
///   },
///   "network": { "proxy": "http://proxy:3128", "caBundle": "/etc/ssl/corp.pem", "retries": 5, "jobs": 4,
///                "connectTimeout": 30, "stallTimeout": 60, "minimumSpeed": 1024, "transferTimeout": 3600,
///                "pushTimeout": 600, "maxRetryAfter": 60, "retryBudget": 180, "insecureSkipTLSVerify": false }
/// }
/// ```
public struct FeedSettings: Sendable {
    public var sources: [String: FeedSource]
    public var transport: TransportOptions
    public var retry: RetryPolicy
    /// Seconds allowed for one package upload; nil for no limit beyond the stall timeout.
    public var pushTimeout: Int?
    /// Warnings to show the user (insecure TLS, a readable secrets file, ...).
    public var warnings: [String] = []

    public static let communityURL = "https://community.chocolatey.org/api/v2/"
    public static let licensedURL = "https://licensedpackages.chocolatey.org/api/v2/"

    /// Environment variables the tool reads (documented in docs/feeds.md).
    public enum Environment {
        public static let configPath = "CCM_UPGRADE_FEEDS_CONFIG"
        public static let licenseId = "CCM_UPGRADE_LICENSE_ID"
        public static let apiKey = "CCM_UPGRADE_API_KEY"
        public static let proxy = "CCM_UPGRADE_PROXY"
        public static let caBundle = "CCM_UPGRADE_CA_BUNDLE"
    }

    /// The default config locations, first existing wins: `$CCM_UPGRADE_FEEDS_CONFIG`,
    /// `~/.config/ccm-upgrade/feeds.json`, `/etc/ccm-upgrade/feeds.json`.
    public static func defaultConfigPath(environment: [String: String]) -> String? {
        if let explicit = environment[Environment.configPath], !explicit.isEmpty { return explicit }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return [home + "/.config/ccm-upgrade/feeds.json", "/etc/ccm-upgrade/feeds.json"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Loads `path` (or the default location; no file at all is fine) and applies the environment.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(FeedError) -> FeedSettings {
        var settings = FeedSettings(sources: [:], transport: TransportOptions(), retry: RetryPolicy(), pushTimeout: nil)
        let licensePassword = environment[Environment.licenseId].flatMap { $0.isEmpty ? nil : Secret($0) }
        settings.sources["community"] = FeedSource(name: "community", location: communityURL)
        settings.sources["licensed"] = FeedSource(
            name: "licensed", location: licensedURL,
            credentials: licensePassword.map { Credentials(username: "customer", password: $0) })
        if let proxy = environment[Environment.proxy], !proxy.isEmpty { settings.transport.proxy = proxy }
        if let bundle = environment[Environment.caBundle], !bundle.isEmpty { settings.transport.caBundle = bundle }
        let file = path ?? defaultConfigPath(environment: environment)
        if let file { try settings.apply(file: file, environment: environment) }
        if let key = environment[Environment.apiKey], !key.isEmpty {
            for (name, source) in settings.sources where source.apiKey == nil { settings.sources[name]?.apiKey = Secret(key) }
        }
        return settings
    }

    /// The source called `reference` in the settings, or an ad-hoc source when `reference` is a URL or a path.
    /// Ad-hoc sources get `CCM_UPGRADE_API_KEY` as their API key when it is set.
    public func source(_ reference: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(FeedError) -> FeedSource {
        if let named = sources[reference] { return named }
        let kind = FeedSource.detectKind(reference)
        if kind == .folder, !reference.contains("/"), !reference.hasPrefix(".") {
            throw .invalidSource(source: reference, reason: "no source of that name in the config (known: \(sources.keys.sorted().joined(separator: ", "))) "
                + "and not a URL or a path")
        }
        let key = environment[Environment.apiKey].flatMap { $0.isEmpty ? nil : Secret($0) }
        return FeedSource(name: reference, location: reference, apiKey: key)
    }

    /// A warning when `source` pulls straight from the community repository: Chocolatey asks organisations to
    /// reach it through their repository server's proxy (its terms of use; rate limits answer excess with a
    /// 429 lasting an hour, nuget.md). nil for any other source.
    public static func directCommunityWarning(for source: FeedSource) -> String? {
        guard source.isCommunityRepositoryDirect else { return nil }
        return "source '\(source.name)' pulls straight from \(source.location): Chocolatey asks organisations to reach the community "
            + "repository through a proxy repository on their own server (terms of use; rate limits can block you for an hour). "
            + "Create a proxy repository of it (Nexus, ProGet, Artifactory) and name it 'community' in feeds.json, "
            + "e.g. \"community\": {\"url\": \"https://nexus.example.com/repository/choco-community-proxy/\"}"
    }

    /// The HTTP client these settings describe; `logger` receives requests (`.debug`) and retries (`.notice`).
    public func httpClient(logger: Logger = HTTPClient.silent) -> HTTPClient {
        HTTPClient(transport: CurlTransport(options: transport), retry: retry, logger: logger)
    }
}
