import Foundation
import Internalization
import JSONOutput
import Nupkg
import PowerShell
import Testing

@Suite struct PackageEmbedderTests {
    static let local = "(Join-Path $(if ($PSScriptRoot) { $PSScriptRoot } else { Split-Path -Parent $MyInvocation.MyCommand.Definition }) "

    /// A splatted hashtable with url/url64 and their checksums: both URLs become local paths, nothing else moves.
    @Test func splatWithBothArchitecturesIsRewrittenInPlace() throws {
        let folder = EmbedFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = try EmbedFixture.installer(at: folder + "/a", size: 70_000, seed: 1)
        var b = try EmbedFixture.installer(at: folder + "/b", size: 50_000, seed: 2)
        a.url = "https://example.org/dl/setup-x86.exe"
        b.url = "https://example.org/dl/setup%20x64.msi?x=1"
        let script = Array("""
        $ErrorActionPreference = 'Stop'
        $packageArgs = @{
          packageName    = $env:ChocolateyPackageName
          fileType       = 'exe'
          url            = '\(a.url)'
          url64bit       = '\(b.url)'
          checksum       = '\(a.digests[.sha256]!.uppercased())'
          checksumType   = 'sha256'
          checksum64     = '\(b.digests[.sha512]!)'
          checksumType64 = 'sha512'
          silentArgs     = '/S'
          validExitCodes = @(0, 3010)
        }
        Install-ChocolateyPackage @packageArgs
        """.utf8)
        let package = try EmbedFixture.package(in: folder, id: "demo", version: "1.0.0", files: ["tools/chocolateyInstall.ps1": script])
        let report = ResourceReport(id: "demo", version: "1.0.0", resources: [
            EmbedFixture.resource(url: a.url, in: script, architecture: .x86, checksum: a.digests[.sha256]!.uppercased(), type: "sha256"),
            EmbedFixture.resource(url: b.url, in: script, architecture: .x64, checksum: b.digests[.sha512], type: "sha512"),
        ], unresolved: [])
        let output = folder + "/out.nupkg"
        let record = try PackageEmbedder.embed(.init(package: package, report: report, resources: [a.url: a, b.url: b], placement: .embedded,
                                                     insertChecksums: false, destination: output))
        let files = try EmbedFixture.contents(of: output)
        let rewritten = String(decoding: files["tools/chocolateyInstall.ps1"]!, as: UTF8.self)
        let expected = String(decoding: script, as: UTF8.self)
            .replacingOccurrences(of: "'\(a.url)'", with: Self.local + "'setup-x86.exe')")
            .replacingOccurrences(of: "'\(b.url)'", with: Self.local + "'setup_x64.msi')")
        #expect(rewritten == expected)
        #expect(files["tools/setup-x86.exe"] == Array(FileManager.default.contents(atPath: a.path)!))
        #expect(files["tools/setup_x64.msi"]?.count == 50_000)
        #expect(files["tools/setup-x86.exe.ignore"] == [])
        #expect(files["tools/setup_x64.msi.ignore"] == nil)
        let stored = try JSONOutput.decoder.decode(EmbeddingRecord.self, from: Data(files["tools/ccm-upgrade-internalized.json"]!))
        #expect(stored == record)
        #expect(record.resources.map(\.checksumSource) == ["script", "script"])
        #expect(record.resources.map(\.embeddedFile) == ["tools/setup-x86.exe", "tools/setup_x64.msi"])
        #expect(record.resources[0].checksum == a.digests[.sha256])
        // Reads clean as a package: same id and version.
        let info = try PackageReader.inspect(at: output)
        #expect(info.nuspec.id == "demo" && info.nuspec.version.normalized == "1.0.0")
    }

    @Test func repackIsDeterministic() throws {
        let folder = EmbedFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = try EmbedFixture.installer(at: folder + "/a", size: 200_000, seed: 3)
        a.url = "https://example.org/a.zip"
        let script = Array("Install-ChocolateyZipPackage 'demo' '\(a.url)' \"$(Split-Path $MyInvocation.MyCommand.Definition)\" -Checksum '\(a.digests[.md5]!)'\n".utf8)
        let package = try EmbedFixture.package(in: folder, id: "demo", version: "2.0", files: ["tools/chocolateyInstall.ps1": script,
                                                                                              "tools/readme.txt": Array("hello".utf8)])
        let report = ResourceReport(id: "demo", version: "2.0.0", resources: [
            EmbedFixture.resource(url: a.url, in: script, checksum: a.digests[.md5], type: nil),
        ], unresolved: [])
        var outputs: [[UInt8]] = []
        for name in ["one", "two"] {
            let output = folder + "/\(name).nupkg"
            _ = try PackageEmbedder.embed(.init(package: package, report: report, resources: [a.url: a], placement: .embedded,
                                                insertChecksums: false, destination: output))
            outputs.append(Array(FileManager.default.contents(atPath: output)!))
        }
        #expect(outputs[0] == outputs[1])
        // The zip is stored, not deflated: the package is at least as large as the random installer.
        #expect(outputs[0].count > 200_000)
    }

    /// Rows: insertion style, script, the text the insertion must produce.
    static let insertions: [(RemoteResource.InsertionStyle, String, String, RemoteResource.Architecture, String?)] = [
        (.commandArguments, "Install-ChocolateyPackage 'demo' 'exe' '/S' 'https://example.org/i.exe' -ValidExitCodes @(0)\n",
         "-ValidExitCodes @(0)", .any, nil),
        (.commandArguments, "Get-ChocolateyWebFile -PackageName 'demo' -FileFullPath \"$env:TEMP\\i.exe\" -Url64bit 'https://example.org/i.exe'\n",
         "-Url64bit 'https://example.org/i.exe'", .x64, nil),
        (.hashtableEntries, "$a = @{\r\n  packageName = 'demo'\r\n  url = 'https://example.org/i.exe'\r\n  checksumType = 'sha1'\r\n}\r\nInstall-ChocolateyPackage @a\r\n",
         "@{\r\n  packageName = 'demo'\r\n  url = 'https://example.org/i.exe'\r\n  checksumType = 'sha1'\r\n}", .x86, "sha1"),
    ]

    @Test(arguments: insertions)
    func missingChecksumIsInsertedWhenAllowed(style: RemoteResource.InsertionStyle, text: String, anchor: String,
                                              architecture: RemoteResource.Architecture, declaredType: String?) throws {
        let folder = EmbedFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = try EmbedFixture.installer(at: folder + "/a", size: 1000, seed: 4)
        a.url = "https://example.org/i.exe"
        let script = Array(text.utf8)
        let package = try EmbedFixture.package(in: folder, id: "demo", version: "1.0.0", files: ["tools/chocolateyInstall.ps1": script])
        let resource = EmbedFixture.resource(url: a.url, in: script, architecture: architecture, checksum: nil, type: declaredType,
                                             insertAfter: anchor, style: style)
        let report = ResourceReport(id: "demo", version: "1.0.0", resources: [resource], unresolved: [])
        let job = PackageEmbedder.Job(package: package, report: report, resources: [a.url: a], placement: .embedded, insertChecksums: false,
                                      destination: folder + "/out.nupkg")
        #expect(throws: EmbeddingError.self) { try PackageEmbedder.embed(job) }
        var allowed = job
        allowed.insertChecksums = true
        let record = try PackageEmbedder.embed(allowed)
        let rewritten = String(decoding: try EmbedFixture.contents(of: allowed.destination)["tools/chocolateyInstall.ps1"]!, as: UTF8.self)
        let suffix = architecture == .x64 ? "64" : ""
        let type = declaredType.flatMap(ChecksumType.init(rawValue:)) ?? .sha256
        #expect(record.resources[0].checksumSource == "computed" && record.resources[0].checksumType == type)
        #expect(rewritten.contains("Checksum\(suffix)") && rewritten.contains("'\(a.digests[type]!)'"))
        if style == .commandArguments, architecture == .x64 {
            // `-Checksum64` through a splat defined on the line before (tree-sitter-powershell misreads `-Name64`).
            #expect(rewritten.hasPrefix("$ccmUpgradeChecksums1 = @{ Checksum64 = '\(a.digests[.sha256]!)'; ChecksumType64 = 'sha256' }\n"))
            #expect(rewritten.hasSuffix(Self.local + "'i.exe') @ccmUpgradeChecksums1\n"))
        }
        // The type is named once: inserted when the script had none, kept (not repeated) when it had one.
        #expect(rewritten.lowercased().components(separatedBy: "checksumtype").count - 1 == 1)
        #expect(!rewritten.contains(a.url))
        if style == .hashtableEntries { #expect(rewritten.contains("\r\n  Checksum = '\(a.digests[.sha1]!)'\r\n}")) }
    }

    @Test func signatureBlockIsRemovedAndBOMAndLineEndsKept() throws {
        let folder = EmbedFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = try EmbedFixture.installer(at: folder + "/a", size: 100, seed: 5)
        a.url = "https://example.org/x.msi"
        let body = "Install-ChocolateyPackage 'demo' 'msi' '/qn' '\(a.url)' -Checksum '\(a.digests[.md5]!)'\r\n"
        let script = [0xEF, 0xBB, 0xBF] + Array((body + "\r\n# SIG # Begin signature block\r\n# MIIxyz\r\n# SIG # End signature block\r\n").utf8)
        let package = try EmbedFixture.package(in: folder, id: "demo", version: "1.0.0", files: ["tools/chocolateyInstall.ps1": script])
        let report = ResourceReport(id: "demo", version: "1.0.0", resources: [
            EmbedFixture.resource(url: a.url, in: script, checksum: a.digests[.md5], type: nil),
        ], unresolved: [])
        let record = try PackageEmbedder.embed(.init(package: package, report: report, resources: [a.url: a], placement: .embedded,
                                                     insertChecksums: false, destination: folder + "/out.nupkg"))
        let rewritten = try EmbedFixture.contents(of: folder + "/out.nupkg")["tools/chocolateyInstall.ps1"]!
        #expect(Array(rewritten.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: rewritten.dropFirst(3), as: UTF8.self)
            == body.replacingOccurrences(of: "'\(a.url)'", with: Self.local + "'x.msi')") + "\r\n")
        #expect(record.scripts.map(\.file) == ["tools/chocolateyInstall.ps1"])
        #expect(record.scripts.map(\.signatureRemoved) == [true] && record.scripts.map(\.edits) == [1])
    }

    @Test func resourcesLocationPointsScriptsThereAndEmbedsNothing() throws {
        let folder = EmbedFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var a = try EmbedFixture.installer(at: folder + "/a", size: 100, seed: 6)
        a.url = "https://example.org/x.exe"
        let script = Array("Install-ChocolateyPackage 'demo' 'exe' '/S' '\(a.url)' -Checksum '\(a.digests[.md5]!)'\n".utf8)
        let package = try EmbedFixture.package(in: folder, id: "Demo", version: "1.0.0", files: ["tools/chocolateyInstall.ps1": script])
        let report = ResourceReport(id: "Demo", version: "1.0.0", resources: [EmbedFixture.resource(url: a.url, in: script, checksum: a.digests[.md5], type: nil)],
                                    unresolved: [])
        for (base, expected) in [("\\\\fs\\choco\\", "'\\\\fs\\choco\\demo\\1.0.0\\x.exe'"),
                                 ("https://nexus/repository/raw/", "'https://nexus/repository/raw/demo/1.0.0/x.exe'")] {
            let output = folder + "/out.nupkg"
            _ = try PackageEmbedder.embed(.init(package: package, report: report, resources: [a.url: a], placement: .location(base: base),
                                                insertChecksums: false, destination: output))
            let files = try EmbedFixture.contents(of: output)
            #expect(String(decoding: files["tools/chocolateyInstall.ps1"]!, as: UTF8.self).contains("'/S' \(expected) -Checksum"))
            #expect(files.keys.sorted() == ["Demo.nuspec", "[Content_Types].xml", "_rels/.rels", "tools/ccm-upgrade-internalized.json",
                                             "tools/chocolateyInstall.ps1"].sorted() || files.keys.contains { $0.hasPrefix("package/") })
            #expect(files["tools/x.exe"] == nil)
        }
    }

    @Test func scriptInSubfolderGetsARelativePathAndNamesDoNotCollide() throws {
        #expect(PowerShellText.localPath(of: "tools/x.exe", fromScript: "tools/Shared/install.ps1").hasSuffix(" '..\\x.exe')"))
        #expect(PowerShellText.localPath(of: "tools/x.exe", fromScript: "chocolateyInstall.ps1").hasSuffix(" 'tools\\x.exe')"))
        #expect(PowerShellLiteral.singleQuoted("it's") == "'it''s'")
        let names = PackageEmbedder.fileNames(for: ["https://a/x.exe", "https://b/X.exe", "https://c/", "https://d/y.exe"], avoiding: ["y.exe"])
        #expect(names == ["https://a/x.exe": "x.exe", "https://b/X.exe": "X-2.exe", "https://c/": "c", "https://d/y.exe": "y-2.exe"])
    }

    @Test func overlappingEditsAreRefused() {
        #expect(throws: EmbeddingError.self) {
            try ScriptRewriter.apply([ScriptEdit(range: 0..<5, text: "a"), ScriptEdit(range: 3..<6, text: "b")], to: Array("0123456789".utf8), file: "x")
        }
        #expect(throws: EmbeddingError.self) { try ScriptRewriter.apply([ScriptEdit(range: 8..<12, text: "a")], to: Array("0123456789".utf8), file: "x") }
    }
}
