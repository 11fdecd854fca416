import Foundation
import Internalization
import PowerShell
import Repository
import Synchronization
import Testing
import TestSupport

/// A resource whose script has no checksum (allowed with --allow-missing-checksums) is kept with the server's
/// validators; a rerun asks with a conditional GET and downloads it only when it changed. Against the
/// resource-server fixture, which answers with ETag/Last-Modified and 304 as nginx does.
@Suite("Resources without a checksum: cached, asked for again conditionally")
struct UnverifiedResourceCacheTests {
    final class Lines: Sendable {
        private let value = Mutex<[String]>([])
        func append(_ line: String) { value.withLock { $0.append(line) } }
        var all: [String] { value.withLock { $0 } }
    }

    static func resource(_ url: String) -> RemoteResource {
        let site = SourceSpan(file: "tools/chocolateyInstall.ps1", line: 1, column: 1, start: 0, end: 1)
        return RemoteResource(url: url, architecture: .any, checksum: nil, checksumType: nil, helper: "Install-ChocolateyPackage",
                              call: site, urlSite: site, insertion: nil, insertionStyle: nil)
    }

    @Test func aRerunDownloadsOnlyWhatChangedOnTheServer() async throws {
        let server = try ResourceServer()
        let cache = try TemporaryDirectory()
        defer { cache.cleanup() }
        let log = Lines()
        let fetcher = ResourceFetcher(http: testClient(attempts: 2), cacheDirectory: cache.path + "/resources", allowMissingChecksums: true,
                                      log: { log.append($0) })
        var bytes = server.installer("nosum.exe", size: 50_000, seed: 7)
        let resource = Self.resource(server.url("files", "nosum.exe"))
        func notModified() -> Int { server.requests.filter { $0.hasPrefix("NOT-MODIFIED ") }.count }
        func gets() -> Int { server.requests.filter { $0.hasPrefix("GET ") }.count }

        let first = try await fetcher.fetch(resource)
        #expect(first.digests[.sha256] == Generated.sha256(bytes))
        #expect(gets() == 1 && notModified() == 0)

        // Unchanged: one conditional GET, answered 304; the cached copy, its hashes checked, is used.
        let second = try await fetcher.fetch(resource)
        #expect(second == first)
        #expect(gets() == 2 && notModified() == 1, "\(server.requests)")
        #expect(log.all.contains { $0.contains("unchanged on the server since it was cached") })

        // Changed on the server: the conditional GET brings the new bytes, and their checksum.
        bytes = server.installer("nosum.exe", size: 50_001, seed: 8)
        let third = try await fetcher.fetch(resource)
        #expect(third.digests[.sha256] == Generated.sha256(bytes))
        #expect(gets() == 3 && notModified() == 1)

        // The cached copy damaged on disk: though the server says unchanged, it is downloaded again.
        try Data(repeating: 0, count: bytes.count).write(to: URL(fileURLWithPath: third.path))
        let fourth = try await fetcher.fetch(resource)
        #expect(fourth.digests[.sha256] == Generated.sha256(bytes))
        #expect(try Data(contentsOf: URL(fileURLWithPath: fourth.path)) == Data(bytes))
        #expect(notModified() == 2 && gets() == 5, "a 304, then a fresh download: \(server.requests)")
    }
}
