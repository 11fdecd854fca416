import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

@Suite("Push: idempotent, explained failures")
struct PushTests {
    static let package = "NonStrongNameB.1.0.0.0.nupkg"

    /// The same nuspec (same id and version) in a different zip: re-stored without compression.
    static func sameIdentityDifferentBytes(in directory: TemporaryDirectory) throws -> String {
        let target = directory.path + "/restored.nupkg"
        let script = """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED) as dst:
                for item in src.infolist():
                    dst.writestr(item.filename, src.read(item.filename))
            """
        let result = try run(["python3", "-c", script, Corpus.package(Self.package), target])
        try #require(result.status == 0, "\(result.output)")
        return target
    }

    @Test(arguments: [409, 400])
    func duplicateIsAlreadyPresent(_ duplicateStatus: Int) async throws {
        let fake = try FakeFeed(arguments: ["--api-key", "secret-key", "--duplicate-status", "\(duplicateStatus)"])
        let feed = V2Feed(url: fake.v2, apiKey: Secret("secret-key"), http: testClient())
        let first = try await feed.push(fileAt: Corpus.package(Self.package), verify: true)
        #expect(first.outcome == .pushed(status: 201))
        #expect(first.identity.description == "NonStrongNameB 1.0.0")
        let second = try await feed.push(fileAt: Corpus.package(Self.package))
        #expect(second.outcome == .alreadyPresent(status: duplicateStatus))
        #expect(fake.requests.filter { $0.hasPrefix("PUT") }.count == 2)
    }

    @Test func sameVersionDifferentContentIsItsOwnOutcome() async throws {
        let fake = try FakeFeed(packages: [Self.package], arguments: ["--api-key", "k"])
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let other = try Self.sameIdentityDifferentBytes(in: work)
        let report = try await V2Feed(url: fake.v2, apiKey: Secret("k"), http: testClient()).push(fileAt: other)
        guard case let .differentContent(feedHash) = report.outcome else { Issue.record("got \(report.outcome)"); return }
        #expect(feedHash == (try PackageHash.sha512(ofFileAt: Corpus.package(Self.package))).base64)
        #expect(FileManager.default.contentsEqual(atPath: fake.packages.path + "/" + Self.package, andPath: Corpus.package(Self.package)))
    }

    @Test func withoutPublishedHashTheFeedIsReadBack() async throws {
        let fake = try FakeFeed(packages: [Self.package], arguments: ["--api-key", "k", "--no-hash", "--duplicate-status", "400"])
        let report = try await V2Feed(url: fake.v2, apiKey: Secret("k"), http: testClient()).push(fileAt: Corpus.package(Self.package))
        #expect(report.outcome == .alreadyPresent(status: 400))
        #expect(fake.requests.contains { $0.hasPrefix("GET /feed/api/v2/package/NonStrongNameB/") })
    }

    @Test func tooLargeIsExplained() async throws {
        let fake = try FakeFeed(arguments: ["--api-key", "k", "--max-upload", "1000"])
        let error = await #expect(throws: FeedError.self) {
            try await V2Feed(url: fake.v2, apiKey: Secret("k"), http: testClient()).push(fileAt: Corpus.package(Self.package))
        }
        guard case let .uploadTooLarge(_, file, size) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == Corpus.package(Self.package))
        #expect(size == 4622 || size > 1000)
        #expect(error?.description.contains("upload limit") == true)
    }

    @Test("a push without a key sends nothing and says where keys come from")
    func missingKeyNamesItsSources() async throws {
        let fake = try FakeFeed(arguments: ["--api-key", "right"])
        let error = await #expect(throws: FeedError.self) {
            try await V2Feed(url: fake.v2, http: testClient()).push(fileAt: Corpus.package(Self.package))
        }
        guard case .missingAPIKey = error else { Issue.record("got \(String(describing: error))"); return }
        for source in ["--api-key-env", "--api-key-file", "$CCM_UPGRADE_API_KEY", "feeds.json"] {
            #expect(error?.description.contains(source) == true, "\(source)")
        }
        #expect(error?.description.contains("HTTP 0") == false)
        #expect(!fake.requests.contains { $0.hasPrefix("PUT") })
    }

    @Test func refusedKeyIsUnauthorizedAndNeverPrinted() async throws {
        let fake = try FakeFeed(arguments: ["--api-key", "right"])
        let error = await #expect(throws: FeedError.self) {
            try await V2Feed(url: fake.v2, apiKey: Secret("wrong-key-value"), http: testClient()).push(fileAt: Corpus.package(Self.package))
        }
        guard case .unauthorized = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.description.contains("wrong-key-value") == false)
        #expect("\(Secret("wrong-key-value"))" == "********")
    }

    @Test(arguments: ["500:1:PUT /feed/api/v2/", "reset:1:PUT /feed/api/v2/", "503:2:PUT /feed/api/v2/"])
    func transientPushFailuresAreRetried(_ fault: String) async throws {
        let fake = try FakeFeed(arguments: ["--api-key", "k", "--fault", fault])
        let report = try await V2Feed(url: fake.v2, apiKey: Secret("k"), http: testClient()).push(fileAt: Corpus.package(Self.package))
        #expect(report.outcome == .pushed(status: 201))
        #expect(fake.requests.filter { $0.hasPrefix("PUT") }.count >= 2)
        #expect(FileManager.default.contentsEqual(atPath: fake.packages.path + "/NonStrongNameB.1.0.0.nupkg", andPath: Corpus.package(Self.package)))
    }

    @Test func folderFeedPushIsIdempotent() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.cleanup() }
        let feed = FolderFeed(path: folder.path)
        #expect(try await feed.push(fileAt: Corpus.package(Self.package)).outcome == .pushed(status: 201))
        #expect(try await feed.push(fileAt: Corpus.package(Self.package)).outcome == .alreadyPresent(status: 409))
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        guard case .differentContent = try await feed.push(fileAt: try Self.sameIdentityDifferentBytes(in: work)).outcome else {
            Issue.record("expected differentContent"); return
        }
        #expect(FileManager.default.contentsEqual(atPath: folder.path + "/NonStrongNameB.1.0.0.nupkg", andPath: Corpus.package(Self.package)))
    }
}
