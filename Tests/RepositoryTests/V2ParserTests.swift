import Foundation
import Repository
import Testing
import Versioning

@Suite("v2 OData parser over recorded responses")
struct V2ParserTests {
    /// (file, entries, first id, first version, has next link, first entry has a hash)
    static let recordings: [(String, Int, String?, String?, Bool, Bool)] = [
        ("azureartifacts-6DelistedEntries.xml", 6, "V40RC3_V2Package10", "2.0.0", false, false),
        ("ccr-FindPackagesById.xml", 1, "upgradepackage", "2.0.0", false, true),
        ("ccr-Packages-upgradepackage-2.0.0.xml", 1, "upgradepackage", "2.0.0", false, true),
        ("myget-SearchOrderById.xml", 5, "NuGet.Client", "3.1.0", false, true),
        ("nexus-FindPackagesById.xml", 1, "PackageA", "1.0.0.99", false, true),
        ("nugetorg-AzureSearch.xml", 1, "WindowsAzure.Storage", "6.2.0", false, true),
        ("nugetorg-AzureSearch100.xml", 100, "WindowsAzure.Storage", "6.2.0", true, true),
        ("nugetorg-AzureSearchNext100.xml", 100, "Haven.ServiceBus.Azure.ServiceBus.EventHub.Publisher", "1.0.5835.19677", true, true),
        ("nugetorg-CyclicDependency.xml", 1, "RavenDB.Client", "1.0.531", true, true),
        ("nugetorg-CyclicDependencyPage1.xml", 1, "RavenDB.Client", "1.2.2068-Unstable", true, true),
        ("nugetorg-CyclicDependencyPage2.xml", 1, "RavenDB.Client", "2.0.2184-Unstable", true, true),
        ("nugetorg-DotNetOpenAuth.Core.4.3.2.13293GetPackages.xml", 1, "DotNetOpenAuth.Core", "4.3.2.13293", false, true),
        ("nugetorg-FindPackagesByIdWithDuplicateBesidesVersion.xml", 2, "afine", "1.0.0", false, true),
        ("nugetorg-NewtonSearch30Entries.xml", 30, "biz.dfch.CS.System.Utilities", "3.1.1", false, true),
        ("nugetorg-NewtonSearch3Entries.xml", 3, "SisoDb.ServiceStack", "16.2.1", false, true),
        ("nugetorg-NotFoundFindPackagesById.xml", 0, nil, nil, false, false),
        ("nugetorg-NuGetExeSearch.xml", 9, "Ciao", "1.1.0", false, true),
        ("nugetorg-RavendbFindPackagesById.xml", 100, "RavenDB.Client", "1.0.531", true, true),
        ("nugetorg-RavendbFindPackagesByIdPage1.xml", 100, "RavenDB.Client", "1.2.2068-Unstable", true, true),
        ("nugetorg-RavendbFindPackagesByIdPage2.xml", 100, "RavenDB.Client", "2.0.2184-Unstable", false, true),
        ("nugetorg-SearchV2WithDuplicateBesidesVersion.xml", 2, "afine", "1.0.0", false, true),
        ("nugetorg-WindowsAzureServiceBus-FindPackageById-Page1.xml", 100, "WindowsAzure.ServiceBus", "0.5.0.0", true, true),
        ("nugetorg-WindowsAzureServiceBus-FindPackageById-Page2.xml", 10, "WindowsAzure.ServiceBus", "4.2.0-preview", false, true),
        ("nugetorg-WindowsAzureStorageFindPackagesById.xml", 47, "WindowsAzure.Storage", "1.0.0", false, true),
        ("nugetorg-WindowsAzureStorageGetPackages.xml", 1, "WindowsAzure.Storage", "4.3.2-preview", false, true),
        ("nugetorg-WindowsAzureStorageSearchPackage17Entries.xml", 17, "WindowsAzure.Storage", "4.2.1", false, true),
        ("nugetorg-WindowsAzureStorageSearchPackage30Entries.xml", 30, "WindowsAzure.Storage", "1.0.0", false, true),
        ("nugetorg-Xunit.2.1.0-beta1-build2945GetPackages.xml", 1, "xunit", "2.1.0-beta1-build2945", false, true),
        ("nugetorg-XunitFindPackagesById.xml", 44, "xunit", "2.0.0-alpha-build1624", false, true),
        ("nugetserver-pynuget-good_feed.xml", 1, "NuGetTest", "0.0.1", false, true),
        ("proget-Search.xml", 4, "7zip", "23.1.0", false, true),
    ]

    @Test(arguments: recordings)
    func parsesRecording(_ row: (String, Int, String?, String?, Bool, Bool)) throws {
        let (file, count, firstId, firstVersion, hasNext, hasHash) = row
        let url = "http://127.0.0.1:1/api/v2/FindPackagesById()"
        let page = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/" + file), url: url)
        #expect(page.packages.count == count, "\(file)")
        #expect(page.skipped.isEmpty, "\(file): \(page.skipped)")
        #expect(page.packages.first?.id == firstId)
        #expect(page.packages.first?.version == firstVersion.flatMap { NuGetVersion($0) })
        #expect((page.next != nil) == hasNext)
        #expect((page.packages.first?.sha512 != nil) == hasHash)
        if let next = page.next { #expect(next.hasPrefix("http")) }
        for package in page.packages { #expect(package.downloadURL != nil, "\(file): \(package) has no content src") }
    }

    @Test func ccrEntryTakesIdFromTitleAndHasAHash() throws {
        let page = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/ccr-FindPackagesById.xml"), url: "http://x/api/v2/FindPackagesById()")
        let package = try #require(page.packages.first)
        #expect(package.id == "upgradepackage")
        #expect(package.downloadURL == "http://localhost:9999/api/v2/package/upgradepackage/2.0.0")
        #expect(package.packageHashAlgorithm == "SHA512")
        #expect(package.isListed)
    }

    @Test func nextLinkFormsAreKeptAbsolute() throws {
        let skip = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/nugetorg-WindowsAzureServiceBus-FindPackageById-Page1.xml"), url: "http://x/")
        #expect(skip.next == "https://www.nuget.org/api/v2/FindPackagesById()?id=%27WindowsAzure.ServiceBus%27&$skip=100")
        let token = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/nugetorg-RavendbFindPackagesById.xml"), url: "http://x/")
        #expect(token.next == "https://www.nuget.org/api/v2/FindPackagesById?id='ravendb.client'&$skiptoken='RavenDB.Client','1.2.2067-Unstable'")
    }

    @Test func delistedEntriesAreUnlisted() throws {
        let page = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/azureartifacts-6DelistedEntries.xml"), url: "http://x/")
        #expect(page.packages.allSatisfy { !$0.isListed })
    }

    @Test func queriedIdIsTheLastResort() throws {
        let xml = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" \
            xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><entry><content src="p/1"/>\
            <m:properties><d:Version>22.1</d:Version><d:PackageHash m:null="true"/></m:properties></entry></feed>
            """
        let page = try V2FeedParser.parse(Array(xml.utf8), url: "http://x/feed", queriedId: "7zip")
        let package = try #require(page.packages.first)
        #expect(package.id == "7zip")
        #expect(package.version == NuGetVersion("22.1.0"))
        #expect(package.sha512 == nil)
        #expect(package.downloadURL == "http://x/p/1")
    }

    @Test func odataErrorBodyIsAnError() throws {
        #expect(throws: FeedError.self) {
            try V2FeedParser.parse(try Corpus.bytes("feeds/v2/nugetclient-500Error.xml"), url: "http://x/")
        }
    }

    @Test(arguments: ["ccr-ServiceDocument.xml", "ccr-metadata.xml", "proget-metadata.xml"])
    func nonFeedDocumentsAreRefused(_ file: String) throws {
        #expect(throws: FeedError.self) { try V2FeedParser.parse(try Corpus.bytes("feeds/v2/" + file), url: "http://x/") }
    }

    /// (d:Dependencies text, expected `id range tfm` rows)
    static let dependencyRows: [(String, [String])] = [
        ("", []),
        ("7zip.install:[23.1.0]", ["7zip.install [23.1.0] -"]),
        ("PackageB:null|EntityFramework:6.1.3|PackageC:3.7.0.15|PackageD:3.14.15:null",
         ["PackageB (, ) -", "EntityFramework [6.1.3, ) -", "PackageC [3.7.0.15, ) -", "PackageD [3.14.15, ) -"]),
        ("AsyncBridge.Net35::net35|::net40", ["AsyncBridge.Net35 (, ) net35"]),
        ("Endjin.Retry:[1.0.0, ):|Endjin.Leasing:[1.0.0, ):", ["Endjin.Retry [1.0.0, ) -", "Endjin.Leasing [1.0.0, ) -"]),
        ("NuGet.Versioning:[3.1.0, ):net45", ["NuGet.Versioning [3.1.0, ) net45"]),
    ]

    @Test(arguments: dependencyRows)
    func parsesDependencies(_ row: (String, [String])) {
        let parsed = V2FeedParser.parseDependencies(row.0).map { "\($0.id) \($0.range.normalized) \($0.targetFramework ?? "-")" }
        #expect(parsed == row.1)
    }

    @Test func nexusNullDependenciesFromTheRecording() throws {
        let page = try V2FeedParser.parse(try Corpus.bytes("feeds/v2/nexus-FindPackagesById.xml"), url: "http://x/")
        let dependencies = try #require(page.packages.first).dependencies
        #expect(dependencies.map(\.id) == ["PackageB", "EntityFramework", "PackageC", "PackageD"])
        #expect(dependencies[0].range.isAll)
    }

    @Test(arguments: [
        ("https://community.chocolatey.org/api/v2/", "https://community.chocolatey.org/api/v2/"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/api/v2/package/"),
        ("http://h", "http://h/api/v2/package/"),
        ("https://push.chocolatey.org/", "https://push.chocolatey.org/api/v2/package/"),
        ("http://h/nuget", "http://h/nuget/"),
    ])
    func pushURLRule(_ row: (String, String)) {
        #expect(V2Feed.pushURL(for: row.0) == row.1)
    }
}
