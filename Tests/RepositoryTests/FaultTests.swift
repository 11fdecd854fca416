import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

/// Every injected fault ends with a byte-identical package or a clear failure, never a corrupt file.
@Suite("Fault injection on the fake feed")
struct FaultTests {
    static let package = "NonStrongNameB.1.0.0.0.nupkg"

    enum Expected: Sendable, CustomStringConvertible {
        case identical(resumed: Bool)
        case hashMismatch
        case httpStatus(Int)
        var description: String {
            switch self {
            case let .identical(resumed): return "identical\(resumed ? " (resumed with Range)" : "")"
            case .hashMismatch: return "hash mismatch"
            case let .httpStatus(status): return "HTTP \(status)"
            }
        }
    }

    static let downloadFaults: [(String, Expected)] = [
        ("reset:1:/package/", .identical(resumed: false)),
        ("reset:1:FindPackagesById", .identical(resumed: false)),
        ("reset-mid:1:/package/", .identical(resumed: true)),
        ("truncate:1:/package/", .identical(resumed: true)),
        ("stall:1:/package/", .identical(resumed: true)),
        ("500:2:/package/", .identical(resumed: false)),
        ("503:1:/package/", .identical(resumed: false)),
        ("429:1:/package/", .identical(resumed: false)),
        ("503:1:FindPackagesById", .identical(resumed: false)),
        ("wrong-hash:1:NonStrongNameB", .hashMismatch),
        ("wrong-bytes:1:/package/", .hashMismatch),
        ("500:10:/package/", .httpStatus(500)),
    ]

    @Test(arguments: downloadFaults)
    func download(_ row: (String, Expected)) async throws {
        let fake = try FakeFeed(packages: [Self.package], arguments: ["--fault", row.0])
        let feed = V2Feed(url: fake.v2, http: testClient(attempts: 4, stallTimeout: 2))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let destination = output.path + "/out.nupkg"
        do {
            let remote = try #require(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "1.0.0.0")))
            let downloaded = try await feed.download(remote, to: destination)
            guard case let .identical(resumed) = row.1 else { Issue.record("\(row.0): expected \(row.1), got success"); return }
            #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(Self.package)))
            #expect(downloaded.matchedFeedHash)
            let ranged = fake.requests.contains { $0.contains("/package/") && $0.hasSuffix("-") && !$0.hasSuffix(" -") }
            if resumed { #expect(ranged, "\(row.0): expected a Range request, log: \(fake.requests)") }
        } catch let error as FeedError {
            switch (row.1, error) {
            case (.hashMismatch, .hashMismatch): break
            case let (.httpStatus(expected), .httpStatus(_, status, _)): #expect(status == expected)
            default: Issue.record("\(row.0): expected \(row.1), got \(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: destination), "a failed download left a file")
            #expect(!FileManager.default.fileExists(atPath: destination + ".partial") || error.isTransient)
        }
    }

    @Test func rateLimitLongerThanThePolicyFailsClearly() async throws {
        // Retry-After 1 s against a policy that waits at most 0.5 s: reported as rate limited, not retried.
        let fake = try FakeFeed(packages: [Self.package], arguments: ["--fault", "429:5:FindPackagesById"])
        let client = HTTPClient(transport: CurlTransport(), retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxRetryAfter: 0.5))
        let error = await #expect(throws: FeedError.self) { try await V2Feed(url: fake.v2, http: client).versions(of: "NonStrongNameB") }
        guard case let .rateLimited(_, retryAfter) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(retryAfter == 1)
        #expect(fake.requests.count == 1)
    }

    @Test(arguments: ["0", "12", "Wed, 21 Oct 2015 07:28:00 GMT", "junk"])
    func retryAfterParsing(_ value: String) {
        let parsed = RetryPolicy.parseRetryAfter(value, now: Date(timeIntervalSince1970: 1_445_412_470))
        switch value {
        case "0": #expect(parsed == 0)
        case "12": #expect(parsed == 12)
        case "junk": #expect(parsed == nil)
        default: #expect(parsed == 10)
        }
    }

    @Test(arguments: 1...6)
    func backoffStaysWithinItsBounds(_ attempt: Int) {
        let policy = RetryPolicy(baseDelay: 0.5, maxDelay: 4)
        let ceiling = min(4, 0.5 * pow(2, Double(attempt - 1)))
        let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
        #expect(delay >= ceiling / 2 && delay <= ceiling)
        #expect(policy.delay(afterAttempt: attempt, retryAfter: 7) == 7)
    }
}

/// Packages above 4 MiB go through the download pipeline (hashed, written and vetted on threads of their
/// own: DownloadPipeline): the same faults must end the same way on that path, resumed downloads included.
@Suite("Fault injection on a large package (download pipeline)")
struct LargeDownloadFaultTests {
    /// A 9 MiB package of random bytes: over the hashing threshold and over the size the fake streams from disk.
    static let package: String = {
        let folder = NSTemporaryDirectory() + "ccm-large-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/Large.Package.1.0.0.nupkg"
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(9 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let nuspec = """
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>\
            <id>Large.Package</id><version>1.0.0</version><authors>tests</authors><description>large</description>\
            </metadata></package>
            """
        _ = try? PackageWriter.write(nuspecXML: Array(nuspec.utf8), files: [.init(target: "tools/payload.bin", content: .bytes(payload))], to: path)
        return path
    }()

    @Test(arguments: [
        ("none", FaultTests.Expected.identical(resumed: false)),
        ("reset-mid:1:/package/", .identical(resumed: true)),
        ("truncate:1:/package/", .identical(resumed: true)),
        ("wrong-bytes:1:/package/", .hashMismatch),
        ("wrong-hash:1:Large.Package", .hashMismatch),
    ])
    func download(_ row: (String, FaultTests.Expected)) async throws {
        let fake = try FakeFeed(files: [Self.package], arguments: row.0 == "none" ? [] : ["--fault", row.0])
        let feed = V2Feed(url: fake.v2, http: testClient(attempts: 4, stallTimeout: 2))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let destination = output.path + "/out.nupkg"
        do {
            let remote = try #require(try await feed.package(id: "Large.Package", version: try NuGetVersion(parsing: "1.0.0")))
            let downloaded = try await feed.download(remote, to: destination)
            guard case let .identical(resumed) = row.1 else { Issue.record("\(row.0): expected \(row.1), got success"); return }
            #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Self.package))
            #expect(downloaded.matchedFeedHash)
            #expect(downloaded.sha512 == (try PackageHash.sha512(ofFileAt: Self.package)))
            let ranged = fake.requests.contains { $0.contains("/package/") && $0.hasSuffix("-") && !$0.hasSuffix(" -") }
            #expect(ranged == resumed, "\(row.0): log \(fake.requests)")
        } catch let error as FeedError {
            guard case .hashMismatch = row.1, case .hashMismatch = error else { Issue.record("\(row.0): expected \(row.1), got \(error)"); return }
            #expect(!FileManager.default.fileExists(atPath: destination), "a failed download left a file")
            #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
        }
    }

    /// With no hash from the feed, the vet is what catches damage; the package is vetted while it streams in,
    /// and a resumed download (its prefix shown to the vetter again from disk) is vetted whole.
    @Test(arguments: [
        ("none", FaultTests.Expected.identical(resumed: false)),
        ("reset-mid:1:/package/", .identical(resumed: true)),
        ("corrupt:1:/package/", .hashMismatch),
    ])
    func withoutAFeedHash(_ row: (String, FaultTests.Expected)) async throws {
        let fake = try FakeFeed(files: [Self.package], arguments: ["--no-hash"] + (row.0 == "none" ? [] : ["--fault", row.0]))
        let feed = V2Feed(url: fake.v2, http: testClient(attempts: 4, stallTimeout: 2))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let destination = output.path + "/out.nupkg"
        let remote = try #require(try await feed.package(id: "Large.Package", version: try NuGetVersion(parsing: "1.0.0")))
        do {
            let downloaded = try await feed.download(remote, to: destination)
            guard case .identical = row.1 else { Issue.record("\(row.0): expected \(row.1), got success"); return }
            #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Self.package))
            #expect(!downloaded.matchedFeedHash)
        } catch {
            // Damaged bytes with no hash to compare: refused by the vet (a CRC-32), the file discarded.
            guard case .hashMismatch = row.1, case .packageRefused = error else { Issue.record("\(row.0): expected a refusal, got \(error)"); return }
            #expect(!FileManager.default.fileExists(atPath: destination))
            #expect(!FileManager.default.fileExists(atPath: destination + ".partial"))
        }
    }

    /// The fast path is taken: a large package's fetch carries the verdict of the vet that ran while it
    /// arrived, and the central directory of the file on disk confirms it.
    @Test func aLargeFetchIsVettedOnTheWay() async throws {
        let fake = try FakeFeed(files: [Self.package])
        let feed = V2Feed(url: fake.v2, http: testClient(attempts: 1, stallTimeout: 5))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let remote = try #require(try await feed.package(id: "Large.Package", version: try NuGetVersion(parsing: "1.0.0")))
        let fetched = try await feed.fetch(remote, to: output.path + "/p.partial", progress: nil)
        let streamed = try #require(fetched.streamedVet)
        let confirmed = try #require(try PackageVetter.confirm(streamed, path: output.path + "/p.partial"))
        #expect(confirmed == (try PackageVetter.vet(Self.package)))
    }
}
