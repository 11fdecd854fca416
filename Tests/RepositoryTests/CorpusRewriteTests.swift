import Foundation
import Internalization
import Nupkg
import Testing

/// Every corpus package the tool rewrites is checked with the real PowerShell grammar (tree-sitter-powershell):
/// the rewritten regions parse clean and no script gets more ERROR/MISSING nodes than its original. Resources
/// are not downloaded (no internet in tests): each gets a small local file standing for the verified download,
/// with the checksum the script declares (the embedder takes verified files; verification has its own tests).
@Suite("Corpus: rewritten scripts against the PowerShell grammar")
struct CorpusRewriteTests {
    @Test func everyRewrittenCorpusScriptParses() throws {
        var folders: [String] = []
        for collection in ["chocolatey-packages", "dotnet-packages"] {
            let directory = Corpus.root + "/" + collection
            folders += ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { directory + "/" + $0 }
        }
        try #require(folders.count >= 320, "corpus not found at \(Corpus.root); set CCM_UPGRADE_CORPUS")
        let work = try TemporaryDirectory()
        defer { work.cleanup() }
        var rewritten: [String] = []
        var notRewritten: [String: [String]] = [:]
        var failures: [String] = []
        var checkerMissing = false
        for folder in folders {
            guard let scripts = try? Self.scripts(folder) else { continue }
            let report = ResourceFinder.find(in: scripts)
            guard !report.resources.isEmpty else { continue }
            guard report.isFullyResolved else {
                notRewritten["unresolved download", default: []].append(scripts.id)
                continue
            }
            let name = URL(fileURLWithPath: folder).lastPathComponent
            let original = work.path + "/\(name)/original", output = work.path + "/\(name)/out"
            try FileManager.default.createDirectory(atPath: original, withIntermediateDirectories: true)
            for (path, bytes) in scripts.files {
                try FileManager.default.createDirectory(atPath: (original + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: original + "/" + path, contents: Data(bytes))
            }
            let package = work.path + "/\(name)/in.nupkg"
            let nuspec = """
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata><id>\(scripts.id)</id>\
            <version>\(scripts.version)</version><authors>corpus</authors><description>corpus scripts</description></metadata></package>
            """
            try PackageWriter.write(nuspecXML: Array(nuspec.utf8),
                                    files: scripts.files.keys.sorted().map { PackageWriter.File(target: $0, content: .bytes(scripts.files[$0]!)) },
                                    to: package)
            var resources: [String: VerifiedResource] = [:]
            for (index, resource) in report.resources.enumerated() where resources[resource.url] == nil {
                let file = work.path + "/\(name)/resource-\(index)"
                _ = FileManager.default.createFile(atPath: file, contents: Data("stand-in for \(resource.url)".utf8))
                var digests: [ChecksumType: String] = [.sha512: String(repeating: "0", count: 128), .sha256: String(repeating: "a", count: 64)]
                if let checksum = resource.checksum, let type = ChecksumType(declared: resource.checksumType) {
                    digests[type] = ResourceChecksum.normalized(checksum, type: type) ?? checksum
                } else if let type = resource.checksumType.flatMap({ ChecksumType(declared: $0) }) {
                    digests[type] = String(repeating: "b", count: type.hexLength)
                }
                resources[resource.url] = VerifiedResource(url: resource.url, path: file, size: 10, digests: digests)
            }
            do {
                _ = try PackageEmbedder.embed(.init(package: package, report: report, resources: resources, placement: .embedded,
                                                    insertChecksums: true, destination: work.path + "/\(name)/out.nupkg"))
            } catch {
                notRewritten["\(error)".components(separatedBy: ": ").dropFirst().first ?? "\(error)", default: []].append(scripts.id)
                continue
            }
            try PackageExtractor.extract(work.path + "/\(name)/out.nupkg", to: output)
            rewritten.append(scripts.id)
            guard let check = try grammarCheck(original: original, rewritten: output) else {
                checkerMissing = true
                continue
            }
            if check.status != 0 { failures.append("\(scripts.id): \(check.output)") }
        }
        if checkerMissing { Issue.record("tree-sitter-powershell is missing: run scripts/peers/tree-sitter-setup.sh") }
        print("corpus: \(rewritten.count) packages rewritten; not rewritten: "
            + notRewritten.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.count)): \($0.value.joined(separator: ", "))" }.joined(separator: "; "))
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(rewritten.count >= 80, "only \(rewritten.count) corpus packages rewritten")
        for id in ["dotnet-10.0-runtime", "dotnet-10.0-aspnetruntime", "dotnet-aspnetcoremodule-v2", "dotnetfx", "DotNet4.5.2"] {
            #expect(rewritten.contains { $0.lowercased() == id.lowercased() }, "\(id) not rewritten")
        }
    }

    /// A corpus package's scripts. The .NET packages without a nuspec in the corpus are put together as their
    /// nuspecs' `<files>` map them (the same construction as InternalizationTests' DotNetPrerequisitesTests).
    static func scripts(_ folder: String) throws -> PackageScripts {
        let dotnet = Corpus.root + "/dotnet-packages/"
        func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: dotnet + path))) }
        switch folder {
        case dotnet + "dotnet-10.0-aspnetruntime":
            return PackageScripts(id: "dotnet-10.0-aspnetruntime", version: "10.0.9",
                                  files: ["tools/data.ps1": try bytes("dotnet-10.0-aspnetruntime/tools/data.ps1"),
                                          "tools/ChocolateyInstall.ps1": try bytes("dotnet-10.0-runtime/tools/ChocolateyInstall.ps1")])
        case dotnet + "dotnet-aspnetcoremodule-v2":
            return PackageScripts(id: "dotnet-aspnetcoremodule-v2", version: "20.0.26107",
                                  files: ["tools/data.ps1": try bytes("dotnet-aspnetcoremodule-v2/tools/data.ps1"),
                                          "tools/ChocolateyInstall.ps1": try bytes("dotnet-aspnetcoremodule-v2/tools/ChocolateyInstall.ps1")])
        case dotnet + "dotnet4.5.2":
            return PackageScripts(id: "DotNet4.5.2", version: "4.5.2.20140902",
                                  files: ["Tools/ChocolateyInstall.ps1": try bytes("dotnet4.5.2/Tools/ChocolateyInstall.ps1")])
        default:
            return try PackageScripts.readNow(folder)
        }
    }
}
