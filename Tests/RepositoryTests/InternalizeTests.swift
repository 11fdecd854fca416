import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

@Suite("Internalize: closure, skipping, journal and resume", .serialized)
struct InternalizeTests {
    static let packages = ["NonStrongNameB.1.0.0.0.nupkg", "NonStrongNameB.2.0.0.0.nupkg", "PackageWithContentFileAndDependency.1.0.nupkg",
                           "PackageWithContentFile.1.0.nupkg", "NuGetTest.0.0.1.nupkg"]

    func internalizer(source: FakeFeed, target: any PackageFeed, work: TemporaryDirectory, journal: Journal? = nil) -> Internalizer {
        Internalizer(sources: ["src": V2Feed(url: source.v2, http: testClient())], target: target, workDirectory: work.path,
                     journal: journal, jobs: 2)
    }

    @Test func closureAndPolicies() async throws {
        let source = try FakeFeed(packages: Self.packages)
        let target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { target.cleanup(); work.cleanup() }
        let summary = await internalizer(source: source, target: FolderFeed(path: target.path), work: work).run([
            PackageRequest(id: "PackageWithContentFileAndDependency", source: "src"),
            PackageRequest(id: "NonStrongNameB", version: .exact(try NuGetVersion(parsing: "1.0")), source: "src"),
            PackageRequest(id: "NuGetTest", version: .newest(in: try VersionRange(parsing: "[0.0.1,1.0)")), source: "src"),
            PackageRequest(id: "Missing.Package", source: "src"),
        ])
        let rows = summary.items.map { "\($0.id) \($0.version ?? "-") \($0.status.rawValue) \($0.reason)" }.sorted()
        #expect(rows == [
            "Missing.Package - failed requested",
            "NonStrongNameB 1.0.0 pushed requested",
            "NuGetTest 0.0.1 pushed requested",
            "PackageWithContentFile 1.0.0 pushed dependency of PackageWithContentFileAndDependency",
            "PackageWithContentFileAndDependency 1.0.0 pushed requested",
        ])
        #expect(summary.hasProblems)
        #expect(summary.downloadedCount == 4)
        #expect(FileManager.default.contentsEqual(atPath: target.path + "/NonStrongNameB.1.0.0.nupkg", andPath: Corpus.package(Self.packages[0])))
        #expect(summary.text.contains("4 downloaded, 4 pushed, 0 already present, 0 conflicting, 1 failed"))
        let json = try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any]
        #expect((json?["counts"] as? [String: Int])?["pushed"] == 4)
    }

    @Test func progressCountsEveryPackageOnceAndEndsAtTheTotal() async throws {
        let source = try FakeFeed(packages: Self.packages)
        let target = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { target.cleanup(); work.cleanup() }
        let seen = ProgressLog()
        var internalizer = internalizer(source: source, target: FolderFeed(path: target.path), work: work)
        internalizer.progress = { seen.append($0) }
        let summary = await internalizer.run([
            PackageRequest(id: "PackageWithContentFileAndDependency", source: "src"),
            PackageRequest(id: "NonStrongNameB", source: "src"),
            PackageRequest(id: "Missing.Package", source: "src"),
        ])
        let updates = seen.values
        #expect(updates.first?.finished == 1, "the unresolvable package is counted before any transfer")
        #expect(updates.map(\.finished) == Array(1...4))
        #expect(updates.allSatisfy { $0.total == 4 })
        #expect(updates.last == {
            var last = InternalizeProgress(total: 4)
            last.finished = 4; last.pushed = 3; last.problems = 1
            return last
        }())
        #expect(summary.items.count == 4)
    }

    @Test func skipsWhatTheTargetHasAndDependenciesItSatisfies() async throws {
        let source = try FakeFeed(packages: Self.packages)
        let targetFeed = try FakeFeed(packages: ["PackageWithContentFile.1.0.nupkg", "NonStrongNameB.2.0.0.0.nupkg"], arguments: ["--api-key", "k"])
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let target = V2Feed(url: targetFeed.v2, apiKey: Secret("k"), http: testClient())
        let summary = await internalizer(source: source, target: target, work: work).run([
            PackageRequest(id: "PackageWithContentFileAndDependency", source: "src"),
            PackageRequest(id: "NonStrongNameB", source: "src"),
        ])
        let rows = summary.items.map { "\($0.id) \($0.status.rawValue) downloaded=\($0.downloaded)" }.sorted()
        #expect(rows == ["NonStrongNameB alreadyPresent downloaded=false", "PackageWithContentFile alreadyPresent downloaded=false",
                         "PackageWithContentFileAndDependency pushed downloaded=true"])
        #expect(targetFeed.requests.filter { $0.hasPrefix("PUT") }.count == 1)
        #expect(!summary.hasProblems)
    }

    @Test func aFailedRunResumesFromTheJournalWithoutDuplicates() async throws {
        let packages = ["NonStrongNameB.1.0.0.0.nupkg", "NuGetTest.0.0.1.nupkg"]
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let targetFeed = try FakeFeed(arguments: ["--api-key", "k"])
        let target = V2Feed(url: targetFeed.v2, apiKey: Secret("k"), http: testClient())
        let requests = [PackageRequest(id: "NonStrongNameB", source: "src"), PackageRequest(id: "NuGetTest", source: "src")]
        let journalPath = work.path + "/journal.json"
        do {
            // First run: NuGetTest's download keeps failing.
            let source = try FakeFeed(packages: packages, arguments: ["--fault", "500:100:/package/NuGetTest"])
            let summary = await internalizer(source: source, target: target, work: work,
                                             journal: try Journal(path: journalPath, target: target.name)).run(requests)
            #expect(summary.count(.pushed) == 1)
            #expect(summary.count(.failed) == 1)
        }
        let journalText = try String(contentsOfFile: journalPath, encoding: .utf8)
        #expect(!journalText.contains("\"k\""), "the API key must never reach the journal")
        let source = try FakeFeed(packages: packages)
        let summary = await internalizer(source: source, target: target, work: work,
                                         journal: try Journal(path: journalPath, target: target.name)).run(requests)
        #expect(!summary.hasProblems, "\(summary.text)")
        #expect(summary.items.first { $0.id == "NonStrongNameB" }?.fromJournal == true)
        let puts = targetFeed.requests.filter { $0.hasPrefix("PUT") }
        #expect(puts.count == 2, "each package pushed exactly once: \(puts)")
        #expect(source.requests.filter { $0.contains("/package/NonStrongNameB") }.isEmpty, "finished work is not redone")
    }

    @Test func journalForAnotherTargetIsRefused() async throws {
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        let journal = try Journal(path: work.path + "/j.json", target: "http://a/")
        try await journal.record(PackageIdentity(id: "x", version: try NuGetVersion(parsing: "1.0")), source: "s", state: .pushed, sha512: nil, file: nil)
        try await journal.flush()
        #expect(throws: FeedError.self) { try Journal(path: work.path + "/j.json", target: "http://b/") }
        #expect(await (try Journal(path: work.path + "/j.json", target: "http://a/")).entries.count == 1)
    }

    @Test(arguments: CCMPackageSet.allCases)
    func ccmSetsTakeLicensedPackagesFromTheLicensedFeedWithoutDependencies(_ set: CCMPackageSet) {
        let licensedIDs = ["chocolatey-agent", "chocolatey.extension", "ccm-server-package"]
        let requests = set.requests(licensedIDs: licensedIDs)
        for id in licensedIDs {
            let request = requests.first { $0.id == id }
            #expect(request?.source == "licensed")
            #expect(request?.ignoreDependencies == true)
        }
        #expect(requests.filter { $0.id.hasPrefix("dotnet-10.0") }.allSatisfy { $0.source == "community" })
        if set == .setup {
            #expect(requests.first { $0.id == "dotnet-aspnetcoremodule-v2" }?.version == .exact(try! NuGetVersion(parsing: "20.0.26140")))
        } else {
            guard case let .newest(range) = requests.first(where: { $0.id == "dotnet-10.0-runtime" })?.version else {
                Issue.record("the upgrade set should keep the runtime on the 10.x line"); return
            }
            #expect(range.contains(try! NuGetVersion(parsing: "10.0.9")) && !range.contains(try! NuGetVersion(parsing: "11.0.0")))
        }
    }

    @Test func packageListFile() throws {
        let text = """
            # CCM extras
            chocolateygui
            dotnet-10.0-runtime 10.0.9 community   # pinned
            dotnet-10.0-aspnetruntime [10.0,11.0)
            chocolatey-agent latest licensed
            """
        let requests = try PackageListFile.parse(text, file: "list.txt", defaultSource: "community")
        #expect(requests.map(\.description) == [
            "chocolateygui (latest) from community", "dotnet-10.0-runtime (10.0.9) from community",
            "dotnet-10.0-aspnetruntime (newest in [10.0.0, 11.0.0)) from community", "chocolatey-agent (latest) from licensed",
        ])
        let error = #expect(throws: FeedError.self) { try PackageListFile.parse("a 1.0 b c", file: "l", defaultSource: "s") }
        #expect(error?.description.contains("l:1") == true)
        #expect(throws: FeedError.self) { try PackageListFile.parse("a not-a-version", file: "l", defaultSource: "s") }
        // Windows text: CRLF and a BOM read the same, and line numbers stay right.
        let windows = "\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
        #expect(try PackageListFile.parse(windows, file: "list.txt", defaultSource: "community").map(\.description) == requests.map(\.description))
        let crlfError = #expect(throws: FeedError.self) { try PackageListFile.parse("a 1.0\r\nb 2.0 c d", file: "l", defaultSource: "s") }
        #expect(crlfError?.description.contains("l:2") == true)
    }
}

@Suite("Feeds config")
struct FeedSettingsTests {
    @Test func builtInSourcesAndEnvironment() throws {
        let settings = try FeedSettings.load(path: nil, environment: ["CCM_UPGRADE_LICENSE_ID": "guid-123", "HOME": "/nonexistent",
                                                                    "CCM_UPGRADE_API_KEY": "key-1"])
        let licensed = try #require(settings.sources["licensed"])
        #expect(licensed.credentials?.username == "customer")
        #expect(licensed.credentials?.password.value == "guid-123")
        #expect(settings.sources["community"]?.location == FeedSettings.communityURL)
        #expect(settings.sources["community"]?.apiKey?.value == "key-1")
        #expect(!"\(licensed)".contains("guid-123"), "secrets never print")
    }

    @Test func configFileWithSecretsFromEnvAndFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try "file-key\n".write(toFile: directory.path + "/key", atomically: true, encoding: .utf8)
        let config = """
            {"sources": {
               "internal": {"url": "https://nexus.example.com/repository/choco/", "apiKeyFile": "\(directory.path)/key"},
               "v3": {"url": "https://proget.example.com/nuget/choco/v3/index.json", "apiKeyEnv": "MY_KEY"},
               "share": {"url": "/srv/packages"},
               "licensed": {"url": "https://mirror.example.com/licensed/", "passwordEnv": "LIC"}},
             "network": {"proxy": "http://proxy:3128", "retries": 2, "jobs": 3, "insecureSkipTLSVerify": true, "pushTimeout": 90}}
            """
        try config.write(toFile: directory.path + "/feeds.json", atomically: true, encoding: .utf8)
        let settings = try FeedSettings.load(path: directory.path + "/feeds.json", environment: ["MY_KEY": "env-key", "LIC": "g"])
        #expect(settings.sources["internal"]?.apiKey?.value == "file-key")
        #expect(settings.sources["internal"]?.kind == .v2)
        #expect(settings.sources["v3"]?.apiKey?.value == "env-key")
        #expect(settings.sources["v3"]?.kind == .v3)
        #expect(settings.sources["share"]?.kind == .folder)
        #expect(settings.sources["licensed"]?.credentials?.username == "customer")
        #expect(settings.transport.proxy == "http://proxy:3128")
        #expect(settings.transport.verifyTLS == false)
        #expect(settings.retry.maxAttempts == 3)
        #expect(settings.transport.maxConcurrentTransfers == 3)
        #expect(settings.pushTimeout == 90)
    }

    @Test func missingEnvironmentVariableIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try #"{"sources": {"internal": {"url": "http://h/", "apiKeyEnv": "NOT_SET_ANYWHERE"}}}"#
            .write(toFile: directory.path + "/feeds.json", atomically: true, encoding: .utf8)
        let error = #expect(throws: FeedError.self) { try FeedSettings.load(path: directory.path + "/feeds.json", environment: [:]) }
        #expect(error?.description.contains("NOT_SET_ANYWHERE") == true)
        try #"{"sources": {"internal": {}}}"#.write(toFile: directory.path + "/feeds.json", atomically: true, encoding: .utf8)
        let missing = #expect(throws: FeedError.self) { try FeedSettings.load(path: directory.path + "/feeds.json", environment: [:]) }
        #expect(missing?.description.contains("url") == true)
    }

    @Test(arguments: [("https://h/api/v2/", FeedSource.Kind.v2), ("https://h/v3/index.json", .v3), ("/srv/share", .folder),
                      ("\\\\server\\share", .folder), ("http://h/index.json?x=1", .v3)])
    func kindDetection(_ row: (String, FeedSource.Kind)) {
        #expect(FeedSource.detectKind(row.0) == row.1)
    }

    @Test func unknownSourceNameIsExplained() throws {
        let settings = try FeedSettings.load(path: nil, environment: ["HOME": "/nonexistent"])
        let error = #expect(throws: FeedError.self) { try settings.source("interanl") }
        #expect(error?.description.contains("community") == true)
        #expect(try settings.source("./local").kind == .folder)
    }
}

/// Collects progress updates from the internalizer's callback.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var updates: [InternalizeProgress] = []
    func append(_ update: InternalizeProgress) { lock.lock(); updates.append(update); lock.unlock() }
    var values: [InternalizeProgress] { lock.lock(); defer { lock.unlock() }; return updates }
}
