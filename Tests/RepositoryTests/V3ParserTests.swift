import Foundation
import Repository
import Testing
import Versioning

@Suite("v3 JSON parsers over recorded responses")
struct V3ParserTests {
    /// (file, flat container @id, publish @id or nil, has registrations)
    static let indexes: [(String, String, String?, Bool)] = [
        ("docs-service-index.json", "https://api.nuget.org/v3-flatcontainer/", "https://www.nuget.org/api/v2/package", true),
        ("nugetorg-index.json", "https://api.nuget.org/v3-flatcontainer/", "https://www.nuget.org/api/v2/package", true),
        ("nugetorg-index-reduced.json", "https://api.nuget.org/v3-flatcontainer/", "https://www.nuget.org/api/v2/package", true),
        ("proget-index.json", "http://localhost:9999/nuget/internal-choco/v3/flatcontainer", "http://localhost:9999/nuget/internal-choco", true),
        ("proget-index-v3only.json", "http://localhost:9999/nuget/internal-choco/v3/flatcontainer", nil, true),
    ]

    @Test(arguments: indexes)
    func serviceIndex(_ row: (String, String, String?, Bool)) throws {
        let index = try V3ServiceIndex.parse(try Corpus.bytes("feeds/v3/" + row.0), url: row.0)
        #expect(index.url(for: V3ServiceIndex.packageBaseAddress) == row.1)
        let publish = index.url(for: V3ServiceIndex.packagePublish)
        if let expected = row.2 { #expect(publish?.hasPrefix(expected) == true, "\(publish ?? "nil")") } else { #expect(publish == nil) }
        #expect((index.url(for: V3ServiceIndex.registrations) != nil) == row.3)
    }

    @Test func registrationPrefersTheSemVer2Hive() throws {
        let index = try V3ServiceIndex.parse(try Corpus.bytes("feeds/v3/proget-index.json"), url: "proget")
        #expect(index.url(for: V3ServiceIndex.registrations)?.contains("registrations-gz") == true
            || index.resources.contains { $0.type == "RegistrationsBaseUrl/3.6.0" && $0.id == index.url(for: V3ServiceIndex.registrations) })
    }

    @Test func notAServiceIndex() throws {
        #expect(throws: FeedError.self) { try V3ServiceIndex.parse(try Corpus.bytes("feeds/v3/docs-search-result.json"), url: "x") }
        #expect(throws: FeedError.self) { try V3ServiceIndex.parse(Array("{\"version\":\"2.0.0\",\"resources\":[]}".utf8), url: "x") }
    }

    @Test func flatContainerVersions() throws {
        let versions = try V3Parsers.flatContainerVersions(try Corpus.bytes("feeds/v3/docs-package-base-address-index.json"), url: "x")
        #expect(versions.map(\.normalized) == ["0.5.0", "0.7.0", "0.11.0", "0.12.0", "0.14.0", "1.0.0"])
    }

    /// (file, leaves inline, first id)
    static let registrations: [(String, Int, String)] = [
        ("docs-package-registration-index.json", 1, "NuGet.Server.Core"),
        ("docs-package-registration-page.json", 2, "NuGet.Protocol.V3.Example"),
        ("nugetorg-registration-microsoft.extensions.logging.abstractions-index.json", 60, "Microsoft.Extensions.Logging.Abstractions"),
        ("nugetorg-registration-nuget.core-index.json", 57, "NuGet.Core"),
        ("proget-registration-7zip-index.json", 2, "7zip"),
        ("proget-registration-7zip.install-index.json", 2, "7zip.install"),
    ]

    @Test(arguments: registrations)
    func registration(_ row: (String, Int, String)) throws {
        let page = try V3Parsers.registration(try Corpus.bytes("feeds/v3/" + row.0), url: row.0)
        #expect(page.packages.count == row.1)
        #expect(page.pagesToFetch.isEmpty)
        #expect(page.packages.first?.id.lowercased() == row.2.lowercased())
    }

    @Test func proGetDependenciesAndContent() throws {
        let page = try V3Parsers.registration(try Corpus.bytes("feeds/v3/proget-registration-7zip-index.json"), url: "x")
        let package = try #require(page.packages.first)
        #expect(package.dependencies.map(\.id) == ["7zip.install"])
        #expect(package.dependencies.first?.range.isExact == true)
        #expect(package.downloadURL != nil)
    }

    @Test func pagesWithoutItemsAreFetchedSeparately() throws {
        let json = #"{"count":2,"items":[{"@id":"https://x/reg/a/page1.json","count":64,"lower":"1.0.0","upper":"2.0.0"},{"@id":"https://x/reg/a/page2.json","count":1,"items":[{"catalogEntry":{"id":"A","version":"3.0.0","listed":false,"dependencyGroups":[{"targetFramework":".NETFramework4.5","dependencies":[{"id":"B"}]}]},"packageContent":"https://x/a.3.0.0.nupkg"}]}]}"#
        let page = try V3Parsers.registration(Array(json.utf8), url: "x")
        #expect(page.pagesToFetch == ["https://x/reg/a/page1.json"])
        let leaf = try #require(page.packages.first)
        #expect(!leaf.isListed)
        #expect(leaf.dependencies == [FeedDependency(id: "B", range: .all, targetFramework: ".NETFramework4.5")])
    }

    @Test func contentURLIsLowerCaseAndNormalized() throws {
        let version = try NuGetVersion(parsing: "1.0.0.0-Beta")
        #expect(V3Feed.contentURL(base: "https://h/flat", id: "My.Package", version: version)
            == "https://h/flat/my.package/1.0.0-beta/my.package.1.0.0-beta.nupkg")
    }
}
