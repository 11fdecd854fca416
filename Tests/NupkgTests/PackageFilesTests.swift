import Foundation
import Nupkg
import Testing

@Suite("Finding packages under folders")
struct PackageFilesTests {
    /// A folder tree with packages at several depths, other files, a symlinked folder and a linked package.
    private func makeTree() throws -> String {
        let root = NSTemporaryDirectory() + "ccm-find-\(UUID().uuidString)"
        let fileManager = FileManager.default
        for folder in ["b", "a/deep/er", "elsewhere"] {
            try fileManager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["z.nupkg", "b/Upper.NUPKG", "a/deep/er/x.1.0.0.nupkg", "a/readme.txt", "a/x.nupkg.partial", "elsewhere/y.nupkg"] {
            #expect(fileManager.createFile(atPath: root + "/" + file, contents: Data("x".utf8)))
        }
        try fileManager.createSymbolicLink(atPath: root + "/b/loop", withDestinationPath: root)
        try fileManager.createSymbolicLink(atPath: root + "/b/linked.nupkg", withDestinationPath: root + "/elsewhere/y.nupkg")
        return root
    }

    @Test func foldersAreWalkedRecursivelySortedWithoutFollowingFolderLinks() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (files, missing) = PackageFiles.find([root])
        #expect(missing.isEmpty)
        #expect(files == [
            "a/deep/er/x.1.0.0.nupkg", "b/Upper.NUPKG", "b/linked.nupkg", "elsewhere/y.nupkg", "z.nupkg",
        ].map { root + "/" + $0 })
    }

    @Test func filesAreKeptAsGivenAndMissingPathsReportedApart() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (files, missing) = PackageFiles.find([root + "/a/readme.txt", root + "/nope", root + "/b/"])
        #expect(files == [root + "/a/readme.txt", root + "/b/Upper.NUPKG", root + "/b/linked.nupkg"])
        #expect(missing == [root + "/nope"])
    }
}
