import CurlSupport
import Foundation
import Nupkg
import Synchronization
import Versioning

/// A NuGet v2 OData feed (the community and licensed repositories, Nexus, ProGet, Artifactory,
/// Chocolatey.Server, minchoc).
public struct V2Feed: PackageFeed {
    /// The service root without a trailing `/` (e.g. `https://community.chocolatey.org/api/v2`).
    public let baseURL: String
    /// Where pushes go (see ``V2Feed/pushURL(for:)``).
    public let pushURL: String
    public let credentials: Credentials?
    public let apiKey: Secret?
    public let http: HTTPClient
    /// The most pages read for one query before giving up (10,000 results at 100 per page, with margin).
    public var maxPages = 200

    public var name: String { baseURL + "/" }

    public init(url: String, credentials: Credentials? = nil, apiKey: Secret? = nil, pushURL: String? = nil, http: HTTPClient) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.pushURL = pushURL ?? Self.pushURL(for: url)
        self.credentials = credentials
        self.apiKey = apiKey
        self.http = http
    }

    /// NuGet's push URL rule (NuGet 2.8.7 and NuGet.Client agree): a source with an empty path gets
    /// `api/v2/package/`; any other source is used as given plus a trailing `/`.
    public static func pushURL(for source: String) -> String {
        guard let components = URLComponents(string: source) else { return source.hasSuffix("/") ? source : source + "/" }
        if components.path.isEmpty || components.path == "/" {
            return (source.hasSuffix("/") ? source : source + "/") + "api/v2/package/"
        }
        return source.hasSuffix("/") ? source : source + "/"
    }

    static let accept = "application/atom+xml, application/xml"

    /// An OData string literal: single-quoted, `'` doubled, then percent-encoded for the query.
    static func literal(_ value: String) -> String {
        let quoted = "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~'")
        return quoted.addingPercentEncoding(withAllowedCharacters: allowed) ?? quoted
    }

    // MARK: Queries

    public func versions(of id: String) async throws(FeedError) -> [RemotePackage] {
        let url = "\(baseURL)/FindPackagesById()?id=\(Self.literal(id))&semVerLevel=2.0.0"
        let all = try await readAllPages(from: url, queriedId: id)
        return all.filter { $0.id.lowercased() == id.lowercased() }
    }

    public func package(id: String, version: NuGetVersion) async throws(FeedError) -> RemotePackage? {
        let url = "\(baseURL)/Packages(Id=\(Self.literal(id)),Version=\(Self.literal(version.normalized)))"
        if let body = try await http.fetch(url, credentials: credentials, accept: Self.accept, allowNotFound: true) {
            let page = try V2FeedParser.parse(body, url: url, queriedId: id)
            if let match = page.packages.first(where: { $0.id.lowercased() == id.lowercased() && $0.version == version }) {
                return match
            }
        }
        // Servers store non-normalized keys (ProGet keeps `22.1`): compare parsed versions instead.
        return try await versions(of: id).first { $0.version == version }
    }

    /// Follows `next` links until there are none, refusing a link that repeats a page already read.
    func readAllPages(from first: String, queriedId: String?) async throws(FeedError) -> [RemotePackage] {
        var url = first
        var seen: Set<String> = []
        var packages: [RemotePackage] = []
        for _ in 0..<maxPages {
            guard seen.insert(url).inserted else { throw .pagingLoop(url: url) }
            guard let body = try await http.fetch(url, credentials: credentials, accept: Self.accept, allowNotFound: true) else {
                return packages
            }
            let page = try V2FeedParser.parse(body, url: url, queriedId: queriedId)
            packages += page.packages
            guard let next = page.next, !page.packages.isEmpty else { return packages }
            url = next
        }
        throw .invalidResponse(url: first, field: "next", expected: "at most \(maxPages) pages")
    }

    // MARK: Transfers

    public func fetch(_ package: RemotePackage, to partialPath: String,
                      progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile {
        let url = package.downloadURL ?? "\(baseURL)/package/\(package.id)/\(package.version.normalized)"
        return try await HTTPPackageTransfer.download(url: url, to: partialPath, declaredSize: package.packageSize, credentials: credentials,
                                                      http: http, progress: progress)
    }

    public func upload(fileAt path: String, identity: PackageIdentity, timeout: Int?) async throws(FeedError) -> UploadAnswer {
        guard let apiKey else {
            throw .missingAPIKey(url: pushURL)
        }
        return try await HTTPPackageTransfer.upload(path: path, to: pushURL, apiKey: apiKey, credentials: credentials,
                                                    http: http, timeout: timeout)
    }
}

/// The HTTP transfers v2 and v3 share: package download (streamed, resumable) and multipart PUT push.
enum HTTPPackageTransfer {
    /// Downloads `url` to `partialPath`. With the feed's `declaredSize` (v2 `PackageSize`), a body larger
    /// than ``sizeLimit(declared:)`` is refused: a 10 GiB `Content-Length` or an endless body cannot fill
    /// the disk. Without one, ``undeclaredLimit`` applies.
    static func download(url: String, to partialPath: String, declaredSize: Int64? = nil, credentials: Credentials?, http: HTTPClient,
                         progress: (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError) -> FetchedFile {
        var request = HTTPRequest(url: url, headers: [("Accept", "application/octet-stream, application/zip, */*")],
                                  destination: .file(path: partialPath, resume: true), credentials: credentials)
        request.onProgress = progress
        request.maxFileBytes = min(declaredSize.flatMap(sizeLimit(declared:)) ?? undeclaredLimit, undeclaredLimit)
        // A large package is vetted while it arrives, so the finished file need not be read again (the
        // verdict stands only once its central directory confirms it: see PackageFeed.download).
        // Nothing reads the package again when that verdict stands: it need not pass through the page cache.
        request.writeBypassingCache = true
        let streamed = StreamedVetBox()
        request.bodyConsumer = { body in
            streamed.set(Result { () throws(NupkgError) in
                try PackageVetter.vetStream(name: url, archiveSize: body.expectedSize, next: body.next)
            })
        }
        let response = try await http.sendForFeed(request)
        if response.status == 404 {
            throw .httpStatus(url: url, status: 404, body: "package download not found")
        }
        guard response.isSuccess else { throw response.failure(for: url) }
        guard let size = response.fileSize, let digest = response.fileSHA512 else {
            throw .invalidResponse(url: url, field: "body", expected: "package bytes")
        }
        if let declared = response.headers["content-length"].flatMap(Int64.init), response.status == 200, declared != size {
            throw .invalidResponse(url: url, field: "Content-Length", expected: "\(declared) bytes, received \(size)")
        }
        // Only this attempt's verdict: an earlier attempt's (a dropped connection) describes other bytes.
        let verdict = response.bodyConsumed ? try? streamed.result?.get() : nil
        return FetchedFile(size: size, sha512: PackageHash(digest: digest), streamedVet: verdict)
    }

    /// The most bytes accepted when the feed declares no size (v3, folders, a chunked body): a larger file
    /// could not pass vetting anyway (at most 4 GiB of content), so an endless body stops here, not at a full disk.
    static let undeclaredLimit: Int64 = ExtractionLimits.default.maxTotalBytes + ExtractionLimits.default.maxTotalBytes / 10

    /// The most bytes accepted for a package the feed says has `declared` bytes: 10 % plus 1 MiB of margin
    /// (feeds that repack or re-sign a package may report the size before); nil for no usable declaration.
    static func sizeLimit(declared: Int64) -> Int64? {
        guard declared > 0, declared < Int64.max / 2 else { return nil }
        return declared + declared / 10 + (1 << 20)
    }

    static func upload(path: String, to url: String, apiKey: Secret, credentials: Credentials?, http: HTTPClient,
                       timeout: Int?) async throws(FeedError) -> UploadAnswer {
        let request = HTTPRequest(method: .put, url: url, headers: [("X-NuGet-ApiKey", apiKey.value)],
                                  body: .multipartFile(path: path, fieldName: "package", fileName: "package.nupkg"),
                                  destination: .memory(limit: 1 << 20), credentials: credentials, timeout: timeout)
        let response = try await http.sendForFeed(request)
        if response.isSuccess { return .accepted(status: response.status) }
        switch response.status {
        case 401, 403:
            throw .unauthorized(url: url, status: response.status, hint: "the API key was refused; check the key configured for this feed")
        case 413:
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            throw .uploadTooLarge(url: url, file: path, size: size)
        default:
            return .refused(status: response.status, body: response.bodySnippet)
        }
    }
}

/// Carries the body consumer's verdict out of the transfer (the last attempt's: each attempt replaces it).
final class StreamedVetBox: Sendable {
    private let value = Mutex<Result<StreamedVet, NupkgError>?>(nil)
    func set(_ result: Result<StreamedVet, NupkgError>) { value.withLock { $0 = result } }
    var result: Result<StreamedVet, NupkgError>? { value.withLock { $0 } }
}
