import Foundation
import Repository
import Testing
import TestSupport

/// Chocolatey asks organisations to reach the community repository through their own repository's proxy:
/// feeds.json can name that proxy `community`, and `internalize` warns when it pulls straight from
/// community.chocolatey.org.
@Suite("community repository: through a proxy, or a warning")
struct CommunitySourceTests {
    // (location, pulls straight from the community repository)
    static let locations: [(String, Bool)] = [
        ("https://community.chocolatey.org/api/v2/", true),
        ("HTTPS://Community.Chocolatey.org/api/v2", true),
        ("https://chocolatey.org/api/v2/", true),
        ("https://www.chocolatey.org/api/v2/", true),
        ("https://nexus.example.com/repository/choco-community-proxy/", false),
        ("https://proget.example.com/nuget/community/v3/index.json", false),
        ("https://licensedpackages.chocolatey.org/api/v2/", false),
        ("https://chocolatey.org/install.ps1", false),
        ("/mnt/community.chocolatey.org", false),
    ]

    @Test("which locations are the community repository itself", arguments: locations)
    func direct(_ row: (String, Bool)) {
        let source = FeedSource(name: "s", location: row.0)
        #expect(source.isCommunityRepositoryDirect == row.1, "\(row.0)")
        #expect((FeedSettings.directCommunityWarning(for: source) != nil) == row.1, "\(row.0)")
    }

    @Test("the built-in 'community' is direct; feeds.json can name the organisation's proxy 'community'")
    func proxyNamedCommunity() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let builtIn = try FeedSettings.load(path: nil, environment: ["HOME": directory.path])
        let community = try #require(builtIn.sources["community"])
        #expect(FeedSettings.directCommunityWarning(for: community)?.contains("proxy repository") == true)
        try #"{"sources": {"community": {"url": "https://nexus.example.com/repository/choco-community-proxy/"}}}"#
            .write(toFile: directory.path + "/feeds.json", atomically: true, encoding: .utf8)
        let configured = try FeedSettings.load(path: directory.path + "/feeds.json", environment: ["HOME": directory.path])
        #expect(configured.sources["community"]?.location == "https://nexus.example.com/repository/choco-community-proxy/")
        #expect(configured.sources["community"].flatMap(FeedSettings.directCommunityWarning) == nil)
    }

    @Test("internalize warns before pulling straight from community.chocolatey.org; not when 'community' is a proxy")
    func internalizeWarns() throws {
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        // A dead proxy: the run fails at its first request, offline and at once, after the warning.
        let direct = try ToolProcess.run(
            ["internalize", "somepackage", "--to", work.path + "/target", "--work-directory", work.path + "/w", "--retries", "0", "--proxy", "http://127.0.0.1:9"],
            environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(direct.stderr.contains("warning: source 'community' pulls straight from https://community.chocolatey.org/api/v2/"), "\(direct.stderr)")
        #expect(direct.status == 1)

        let proxy = try FakeFeed(packages: ["NuGetTest.0.0.1.nupkg"])
        try #"{"sources": {"community": {"url": "\#(proxy.v2)"}}}"#.write(toFile: work.path + "/feeds.json", atomically: true, encoding: .utf8)
        let proxied = try ToolProcess.run(
            ["internalize", "NuGetTest", "--to", work.path + "/target", "--work-directory", work.path + "/w2", "--config", work.path + "/feeds.json"],
            environment: ["HOME": work.path])
        #expect(proxied.status == 0, "\(proxied.stderr)")
        #expect(!proxied.stderr.contains("pulls straight from"))
    }
}
