import Foundation
import Testing

@testable import Nupkg

/// Where `pack` puts the files a nuspec's `<files>` select, by NuGet's PathResolver rules (what `choco pack`
/// does): recursive patterns keep their sub-paths, a folder src (ending in a separator) is everything below it,
/// a single file whose target has its extension is renamed to the target, anything else keeps its name.
@Suite("pack: where each file goes")
struct PackageBuilderTests {
    static let files = ["docs/readme.txt", "tools/chocolateyInstall.ps1", "tools/sub/helper.ps1", "tools/sub/data.json", "LICENSE"]

    // (file elements, expected package entries besides the nuspec)
    @Test(arguments: [
        (#"<file src="docs\readme.txt" target="content\readme.txt" />"#, ["content/readme.txt"]),
        (#"<file src="docs\readme.txt" target="content\notes.txt" />"#, ["content/notes.txt"]),
        (#"<file src="docs\readme.txt" target="content" />"#, ["content/readme.txt"]),
        (#"<file src="tools\" target="tools" />"#, ["tools/chocolateyInstall.ps1", "tools/sub/data.json", "tools/sub/helper.ps1"]),
        (#"<file src="tools\**" target="tools" />"#, ["tools/chocolateyInstall.ps1", "tools/sub/data.json", "tools/sub/helper.ps1"]),
        (#"<file src="tools\**\*.ps1" target="scripts" />"#, ["scripts/chocolateyInstall.ps1", "scripts/sub/helper.ps1"]),
        (#"<file src="tools\*.ps1" target="tools" />"#, ["tools/chocolateyInstall.ps1"]),
        (#"<file src="tools\*\*.ps1" target="flat" />"#, ["flat/helper.ps1"]),
        (#"<file src="LICENSE" target="legal" />"#, ["legal"]),
    ])
    func filesLandWhereNuGetPutsThem(_ row: (String, [String])) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        for file in Self.files {
            try FileManager.default.createDirectory(atPath: (folder.file(file) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.utf8).write(to: URL(fileURLWithPath: folder.file(file)))
        }
        let nuspec = """
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>\
            <id>Pack.Test</id><version>1.0.0</version><authors>t</authors><description>d</description></metadata>\
            <files>\(row.0)</files></package>
            """
        try Data(nuspec.utf8).write(to: URL(fileURLWithPath: folder.file("pack.nuspec")))
        let package = try PackageBuilder.pack(nuspecPath: folder.file("pack.nuspec"), outputDirectory: folder.file("out"))
        let names = try PackageReader.entries(at: package).map(\.name).filter { !$0.hasSuffix(".nuspec") && !$0.hasPrefix("[") && !$0.hasPrefix("_rels") && !$0.hasPrefix("package/") }
        #expect(names.sorted() == row.1.sorted(), "\(row.0)")
    }
}

extension PackageBuilderTests {
    /// Matching ignores case, and so does the prefix a recursive pattern keeps: `tools\**` over `Tools/`.
    /// Two files that would land on one name are refused, not written twice.
    @Test func caseOfTheFolderAndClashingNames() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        for file in ["Tools/chocolateyInstall.ps1", "Tools/sub/helper.ps1", "Tools/other/helper.ps1"] {
            try FileManager.default.createDirectory(atPath: (folder.file(file) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(file.utf8).write(to: URL(fileURLWithPath: folder.file(file)))
        }
        func nuspec(_ files: String) -> String {
            """
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>\
            <id>Pack.Case</id><version>1.0.0</version><authors>t</authors><description>d</description></metadata>\
            <files>\(files)</files></package>
            """
        }
        try Data(nuspec(#"<file src="tools\**" target="tools" />"#).utf8).write(to: URL(fileURLWithPath: folder.file("a.nuspec")))
        let package = try PackageBuilder.pack(nuspecPath: folder.file("a.nuspec"), outputDirectory: folder.file("out"))
        let names = try PackageReader.entries(at: package).map(\.name).filter { $0.hasPrefix("tools/") }
        #expect(names.sorted() == ["tools/chocolateyInstall.ps1", "tools/other/helper.ps1", "tools/sub/helper.ps1"])
        try Data(nuspec(#"<file src="tools\*\helper.ps1" target="flat" />"#).utf8).write(to: URL(fileURLWithPath: folder.file("b.nuspec")))
        #expect(throws: NupkgError.self) { try PackageBuilder.pack(nuspecPath: folder.file("b.nuspec"), outputDirectory: folder.file("out")) }
    }
}

/// A broken nuspec is reported with its file and the line, once, in words.
@Suite("nuspec XML errors")
struct NuspecXMLErrorTests {
    @Test func truncatedNuspecNamesFileAndLine() {
        #expect(throws: NupkgError.invalidManifest(path: "x.nuspec", field: "xml",
                                                   problem: "line 2: malformed XML: the document ends inside <version> (opened on line 2): premature end of data")) {
            try NuspecReader.read(Array("<package><metadata><id>x</id>\n<version>1.0".utf8), source: "x.nuspec")
        }
        #expect(throws: NupkgError.self) { try NuspecReader.read([], source: "empty.nuspec") }
        do { _ = try NuspecReader.read([], source: "empty.nuspec") } catch {
            #expect(!error.description.contains("line 0") && !error.description.contains(": :"), "\(error)")
        }
    }
}
