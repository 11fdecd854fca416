import Foundation
import Nupkg
import Repository
import Testing
import Versioning

@Suite("Folder feeds")
struct FolderFeedTests {
    /// (file placed in the folder, relative path, id, version read from the nuspec)
    static let layouts: [(String, String, String, String)] = [
        ("NonStrongNameB.2.0.0.0.nupkg", "NonStrongNameB.2.0.0.0.nupkg", "NonStrongNameB", "2.0.0"),
        ("TestUpdatePackage.1.0.nupkg", "TestUpdatePackage.1.0.nupkg", "TestUpdatePackage", "1.0.0"),
        ("nonnormalizedversions.004.0.01.0.nupkg", "nonnormalizedversions.004.0.01.0.nupkg", "nonnormalizedversions", "4.0.1"),
        ("NonStrongNameB.2.0.0.0.nupkg", "nonstrongnameb/2.0.0/nonstrongnameb.2.0.0.nupkg", "NonStrongNameB", "2.0.0"),
        ("MyPackage.1.0.0-alpha.nupkg", "MyPackage/1.0.0-alpha/MyPackage.1.0.0-alpha.nupkg", "MyPackage", "1.0.0-alpha"),
    ]

    @Test(arguments: layouts)
    func findsPackagesInBothLayouts(_ row: (String, String, String, String)) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.cleanup() }
        let target = folder.path + "/" + row.1
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Corpus.package(row.0), toPath: target)
        let feed = FolderFeed(path: folder.path)
        let versions = try await feed.versions(of: row.2.uppercased())
        #expect(versions.map(\.version.normalized) == [row.3])
        let package = try #require(versions.first)
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let downloaded = try await feed.download(package, toDirectory: output.path)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(row.0)))
        #expect(downloaded.path.hasSuffix("/\(package.id).\(row.3).nupkg"))
    }

    @Test func missingFolderIsAnError() async throws {
        let error = await #expect(throws: FeedError.self) { try await FolderFeed(path: "/nonexistent/feed").versions(of: "x") }
        #expect(error?.description.contains("/nonexistent/feed") == true)
    }

    @Test func anotherIdWithTheSamePrefixIsNotReturned() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.cleanup() }
        _ = try folder.copy(Corpus.package("PreReleaseTestPackage.A.1.0.0-a.nupkg"))
        _ = try folder.copy(Corpus.package("PreReleaseTestPackage.1.0.0-a.nupkg"))
        let versions = try await FolderFeed(path: folder.path).versions(of: "PreReleaseTestPackage")
        #expect(versions.map(\.id) == ["PreReleaseTestPackage"])
    }
}
