import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

/// Feed clients against the project's TEST FAKE server (Tests/Fixtures/fake-feed), which serves real corpus
/// packages and the recorded responses of real servers.
@Suite("Feed clients over the fake feed")
struct FeedClientTests {
    static let packageB1 = "NonStrongNameB.1.0.0.0.nupkg"
    static let packageB2 = "NonStrongNameB.2.0.0.0.nupkg"

    @Test func v2ListsVersionsWithHashesAndDownloadsByteIdentical() async throws {
        let fake = try FakeFeed(packages: [Self.packageB1, Self.packageB2])
        let feed = V2Feed(url: fake.v2, http: testClient())
        let versions = try await feed.versions(of: "nonstrongnameb")
        #expect(versions.map(\.version.normalized).sorted() == ["1.0.0", "2.0.0"])
        #expect(versions.allSatisfy { $0.sha512 != nil })
        let latest = try #require(try await feed.latest(of: "NonStrongNameB"))
        #expect(latest.version == NuGetVersion("2.0.0.0"))
        // `1.0` finds `1.0.0.0`: versions are compared parsed.
        let exact = try #require(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "1.0")))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let downloaded = try await feed.download(exact, toDirectory: output.path)
        #expect(downloaded.matchedFeedHash)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(Self.packageB1)))
        #expect(!FileManager.default.fileExists(atPath: downloaded.path + ".partial"))
        #expect(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "3.0")) == nil)
        #expect(try await feed.versions(of: "unknown.package").isEmpty)
    }

    @Test func v2FollowsSkipNextLinks() async throws {
        let fake = try FakeFeed(packages: [Self.packageB1, Self.packageB2], arguments: ["--page-size", "1"])
        let versions = try await V2Feed(url: fake.v2, http: testClient()).versions(of: "NonStrongNameB")
        #expect(versions.count == 2)
        #expect(fake.requests.filter { $0.contains("FindPackagesById") }.count == 2)
    }

    /// (recording, id, versions over all pages)
    static let pagedRecordings: [(String, String, Int)] = [
        ("nugetorg", "WindowsAzure.ServiceBus", 110),
        ("nugetorg", "ravendb.client", 300),
        ("nugetorg", "xunit", 44),
    ]

    @Test(arguments: pagedRecordings)
    func recordedPaging(_ row: (String, String, Int)) async throws {
        let fake = try FakeFeed()
        let feed = V2Feed(url: fake.recorded(row.0) + "/api/v2/", http: testClient())
        #expect(try await feed.versions(of: row.1).count == row.2)
    }

    @Test func repeatedNextLinkIsALoop() async throws {
        let fake = try FakeFeed()
        let feed = V2Feed(url: fake.recorded("cyclic") + "/api/v2", http: testClient())
        let error = await #expect(throws: FeedError.self) { try await feed.versions(of: "ravendb.client") }
        guard case .pagingLoop = error else { Issue.record("expected pagingLoop, got \(String(describing: error))"); return }
    }

    @Test func exactLookupFallsBackToFindPackagesById() async throws {
        let fake = try FakeFeed()
        let feed = V2Feed(url: fake.recorded("nugetorg") + "/api/v2", http: testClient())
        let found = try await feed.package(id: "xunit", version: try NuGetVersion(parsing: "2.0.0-alpha-build1624"))
        #expect(found?.id == "xunit")
        #expect(fake.requests.contains { $0.contains("/Packages(Id=") })
        #expect(fake.requests.contains { $0.contains("/FindPackagesById()") })
    }

    @Test func communityRepositoryEntryWithoutDId() async throws {
        let fake = try FakeFeed()
        let feed = V2Feed(url: fake.recorded("ccr") + "/api/v2/", http: testClient())
        let versions = try await feed.versions(of: "upgradepackage")
        #expect(versions.map(\.id) == ["upgradepackage"])
        #expect(versions.first?.downloadURL == fake.recorded("ccr") + "/api/v2/package/upgradepackage/2.0.0")
        #expect(try await feed.contains(id: "upgradepackage", version: try NuGetVersion(parsing: "2.0.0")))
    }

    @Test func odataErrorStatusIsReported() async throws {
        let fake = try FakeFeed()
        let feed = V2Feed(url: fake.recorded("error") + "/api/v2", http: testClient(attempts: 2))
        let error = await #expect(throws: FeedError.self) { try await feed.versions(of: "anything") }
        guard case let .httpStatus(_, status, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(status == 500)
    }

    @Test func v3ListsDownloadsAndPublishes() async throws {
        let fake = try FakeFeed(packages: [Self.packageB1], arguments: ["--api-key", "k3"])
        let feed = V3Feed(indexURL: fake.v3, apiKey: Secret("k3"), http: testClient())
        let versions = try await feed.versions(of: "NonStrongNameB")
        #expect(versions.map(\.version.normalized) == ["1.0.0"])
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let downloaded = try await feed.download(try #require(versions.first), toDirectory: output.path)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(Self.packageB1)))
        #expect(fake.requests.contains { $0.contains("/flat/nonstrongnameb/1.0.0/nonstrongnameb.1.0.0.nupkg") })
        let report = try await feed.push(fileAt: Corpus.package(Self.packageB2))
        #expect(report.outcome == .pushed(status: 201))
        #expect(try await feed.versions(of: "nonstrongnameb").count == 2)
        let again = try await feed.push(fileAt: Corpus.package(Self.packageB2))
        #expect(again.outcome == .alreadyPresent(status: 409))
    }

    @Test func v3RecordedProGetRegistration() async throws {
        let fake = try FakeFeed()
        let feed = V3Feed(indexURL: fake.recorded("proget") + "/nuget/internal-choco/v3/index.json", http: testClient())
        let versions = try await feed.versions(of: "7zip")
        #expect(versions.count == 2)
        #expect(versions.allSatisfy { $0.dependencies.map(\.id) == ["7zip.install"] })
        // Download URLs come from the flat container, lower-case.
        #expect(versions.allSatisfy { $0.downloadURL?.contains("/v3/flatcontainer/7zip/") == true })
    }
}

@Suite("Community repository statuses and search")
struct StatusAndSearchTests {
    @Test(arguments: ["406", "410"])
    func documentedStatusesAreExplained(_ status: String) async throws {
        let fake = try FakeFeed(packages: ["NonStrongNameB.1.0.0.0.nupkg"], arguments: ["--fault", "\(status):5:FindPackagesById"])
        let error = await #expect(throws: FeedError.self) { try await V2Feed(url: fake.v2, http: testClient()).versions(of: "NonStrongNameB") }
        switch (status, error) {
        case ("406", .queryRejected?): #expect(error?.description.contains("10,000") == true)
        case ("410", .gone?): #expect(error?.description.contains("FindPackagesById") == true)
        default: Issue.record("HTTP \(status) gave \(String(describing: error))")
        }
        #expect(fake.requests.count == 1, "\(status) is not retried")
    }
}
