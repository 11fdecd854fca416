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

    /// Every command that downloads through the sources (internalize, bundle create) opens them the same way
    /// (FeedOptions.openSources), warnings included. (command, arguments after the package id, given a work folder)
    static let downloaders: [(String, @Sendable (String) -> [String])] = [
        ("internalize", { work in ["--to", work + "/target", "--work-directory", work + "/w"] }),
        ("bundle create", { work in ["-o", work + "/b.tar", "--work-directory", work + "/w"] }),
    ]

    @Test("internalize and bundle create warn before pulling straight from community.chocolatey.org, or from the licensed repository without credentials; not when 'community' is a proxy",
          arguments: downloaders.map(\.0))
    func downloadersWarn(command: String) throws {
        let arguments = try #require(Self.downloaders.first { $0.0 == command }?.1)
        let words = command.split(separator: " ").map(String.init)
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        // A dead proxy: the run fails at its first request, offline and at once, after the warnings.
        let direct = try ToolProcess.run(
            words + ["somepackage"] + arguments(work.path) + ["--retries", "0", "--proxy", "http://127.0.0.1:9"],
            environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": ""])
        #expect(direct.stderr.contains("warning: source 'community' pulls straight from https://community.chocolatey.org/api/v2/"), "\(command): \(direct.stderr)")
        #expect(direct.status == 1, "\(command): \(direct.stderr)")

        try "example-extension 1.0.0 licensed\n".write(toFile: work.path + "/licensed.txt", atomically: true, encoding: .utf8)
        let licensed = try ToolProcess.run(
            words + ["--package-list", work.path + "/licensed.txt"] + arguments(work.path + "/l") + ["--retries", "0", "--proxy", "http://127.0.0.1:9"],
            environment: ["HOME": work.path, "CCM_UPGRADE_FEEDS_CONFIG": "", "CCM_UPGRADE_LICENSE_ID": ""])
        #expect(licensed.stderr.contains("warning: no credentials for the licensed repository"), "\(command): \(licensed.stderr)")

        let proxy = try FakeFeed(packages: ["NuGetTest.0.0.1.nupkg"])
        try #"{"sources": {"community": {"url": "\#(proxy.v2)"}}}"#.write(toFile: work.path + "/feeds.json", atomically: true, encoding: .utf8)
        let proxied = try ToolProcess.run(
            words + ["NuGetTest"] + arguments(work.path + "/p") + ["--config", work.path + "/feeds.json"],
            environment: ["HOME": work.path])
        #expect(proxied.status == 0, "\(command): \(proxied.stderr)")
        #expect(!proxied.stderr.contains("pulls straight from"))
    }
}
