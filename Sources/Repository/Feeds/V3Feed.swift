import CurlSupport
import Foundation
import Nupkg
import Versioning

/// A NuGet v3 feed, reached through its service index (`.../index.json`): flat container for versions and
/// downloads, registrations for listed state, dependencies and hashes, `PackagePublish` for pushes.
public struct V3Feed: PackageFeed {
    public let indexURL: String
    public let credentials: Credentials?
    public let apiKey: Secret?
    public let http: HTTPClient
    private let cache = ServiceIndexCache()

    public var name: String { indexURL }

    public init(indexURL: String, credentials: Credentials? = nil, apiKey: Secret? = nil, http: HTTPClient) {
        self.indexURL = indexURL
        self.credentials = credentials
        self.apiKey = apiKey
        self.http = http
    }

    /// The service index, fetched once per feed value.
    public func serviceIndex() async throws(FeedError) -> V3ServiceIndex {
        if let cached = await cache.index { return cached }
        guard let body = try await http.fetch(indexURL, credentials: credentials, accept: "application/json") else {
            throw .invalidResponse(url: indexURL, field: "service index", expected: "a JSON document")
        }
        let index = try V3ServiceIndex.parse(body, url: indexURL)
        await cache.store(index)
        return index
    }

    /// `@id` with exactly one trailing `/` (ProGet omits it, nuget.org has it).
    static func directory(_ url: String) -> String { url.hasSuffix("/") ? url : url + "/" }

    func flatContainer() async throws(FeedError) -> String {
        guard let base = try await serviceIndex().url(for: V3ServiceIndex.packageBaseAddress) else {
            throw .unsupported(feed: indexURL, operation: "listing and downloading (no PackageBaseAddress resource)")
        }
        return Self.directory(base)
    }

    /// The flat-container download URL: lower-case id and normalized lower-case version.
    public static func contentURL(base: String, id: String, version: NuGetVersion) -> String {
        let lowerId = id.lowercased(), lowerVersion = version.normalized.lowercased()
        return "\(directory(base))\(lowerId)/\(lowerVersion)/\(lowerId).\(lowerVersion).nupkg"
    }

    public func versions(of id: String) async throws(FeedError) -> [RemotePackage] {
        let index = try await serviceIndex()
        let base = index.url(for: V3ServiceIndex.packageBaseAddress).map(Self.directory)
        var byVersion: [NuGetVersion: RemotePackage] = [:]
        if let base {
            let url = "\(base)\(id.lowercased())/index.json"
            if let body = try await http.fetch(url, credentials: credentials, accept: "application/json", allowNotFound: true) {
                for version in try V3Parsers.flatContainerVersions(body, url: url) {
                    byVersion[version] = RemotePackage(id: id, version: version, downloadURL: Self.contentURL(base: base, id: id, version: version))
                }
            }
        }
        if let registrations = index.url(for: V3ServiceIndex.registrations) {
            for var package in try await registrationLeaves(base: Self.directory(registrations), id: id) {
                if let base { package.downloadURL = Self.contentURL(base: base, id: package.id, version: package.version) }
                byVersion[package.version] = package
            }
        }
        if base == nil, index.url(for: V3ServiceIndex.registrations) == nil {
            throw .unsupported(feed: indexURL, operation: "listing versions (neither PackageBaseAddress nor RegistrationsBaseUrl)")
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    func registrationLeaves(base: String, id: String) async throws(FeedError) -> [RemotePackage] {
        let url = "\(base)\(id.lowercased())/index.json"
        guard let body = try await http.fetch(url, credentials: credentials, accept: "application/json", allowNotFound: true) else {
            return []
        }
        let first = try V3Parsers.registration(body, url: url)
        var packages = first.packages
        for page in first.pagesToFetch {
            guard let pageBody = try await http.fetch(page, credentials: credentials, accept: "application/json", allowNotFound: true) else { continue }
            packages += try V3Parsers.registration(pageBody, url: page).packages
        }
        return packages
    }

    public func package(id: String, version: NuGetVersion) async throws(FeedError) -> RemotePackage? {
        try await versions(of: id).first { $0.version == version }
    }

    public func fetch(_ package: RemotePackage, to partialPath: String,
                      progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile {
        let url: String
        if let downloadURL = package.downloadURL {
            url = downloadURL
        } else {
            url = Self.contentURL(base: try await flatContainer(), id: package.id, version: package.version)
        }
        return try await HTTPPackageTransfer.download(url: url, to: partialPath, declaredSize: package.packageSize, credentials: credentials,
                                                      http: http, progress: progress)
    }

    public func upload(fileAt path: String, identity: PackageIdentity, timeout: Int?) async throws(FeedError) -> UploadAnswer {
        guard let publish = try await serviceIndex().url(for: V3ServiceIndex.packagePublish) else {
            throw .unsupported(feed: indexURL, operation: "push (no PackagePublish resource)")
        }
        guard let apiKey else {
            throw .missingAPIKey(url: publish)
        }
        return try await HTTPPackageTransfer.upload(path: path, to: publish, apiKey: apiKey, credentials: credentials,
                                                    http: http, timeout: timeout)
    }
}

/// Holds a v3 feed's service index once fetched.
actor ServiceIndexCache {
    private(set) var index: V3ServiceIndex?
    func store(_ index: V3ServiceIndex) { self.index = index }
}
