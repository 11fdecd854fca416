import Foundation
@testable import Nupkg
import Testing

@Suite("Extraction attacks")
struct ExtractionAttackTests {
    /// Builds `items` into a package inside a sandbox folder, extracts into `sandbox/target`, and returns
    /// the error and everything that exists in the sandbox afterwards.
    private func attempt(_ items: [ArchiveBuilder.Item], limits: ExtractionLimits = .default) throws -> (NupkgError?, [String]) {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        let package = sandbox.file("attack.nupkg")
        try ArchiveBuilder.build(items, at: package)
        var failure: NupkgError?
        do { try PackageExtractor.extract(package, to: sandbox.file("target"), limits: limits) } catch { failure = error }
        return (failure, sandbox.listing().filter { $0 != "attack.nupkg" })
    }

    // (name of the hostile entry, expected reason fragment)
    @Test(arguments: [
        ("../escaped.txt", "'..' segments"),
        ("tools/../../escaped.txt", "'..' segments"),
        ("%2e%2e/escaped.txt", "'..' segments"),
        ("tools%2f..%2f..%2fescaped.txt", "'..' segments"),
        ("/etc/escaped.txt", "absolute paths"),
        ("%2fetc%2fescaped.txt", "absolute paths"),
        ("C:/escaped.txt", "drive letters"),
        ("c:escaped.txt", "drive letters"),
        ("tools\\..\\escaped.txt", "'..' segments"), // libarchive reads DOS backslashes as separators
        ("tools/file.txt:stream", "':' is not allowed"),
    ])
    func pathTraversalIsRefused(name: String, reason: String) throws {
        let (error, left) = try attempt([.file("Attack.Test.nuspec", ArchiveBuilder.nuspec()), .file("tools/ok.txt", [1]), .file(name, [1, 2, 3])])
        let failure = try #require(error)
        #expect(failure.description.contains(reason), "\(failure)")
        #expect(left == ["target"], "partial output left behind: \(left)")
    }

    @Test func symlinkIsRefused() throws {
        let (error, left) = try attempt([.symlink("tools/link", "/etc/passwd"), .file("tools/link/x", [1])])
        #expect(try #require(error).description.contains("symbolic links are not allowed"))
        #expect(left == ["target"])
    }

    @Test func bombByRatioIsRefused() throws {
        let (error, left) = try attempt([.file("a.nuspec", ArchiveBuilder.nuspec()), .zeros("tools/zeros.bin", 64 << 20)])
        #expect(try #require(error).description.contains("zip bomb by ratio"))
        #expect(left == ["target"])
    }

    @Test func bombBySizeIsRefused() throws {
        let limits = ExtractionLimits(maxTotalBytes: 1 << 20, maxEntries: 100, maxCompressionRatio: 1_000_000)
        let (error, left) = try attempt([.zeros("tools/a.bin", 600 << 10), .zeros("tools/b.bin", 600 << 10)], limits: limits)
        #expect(try #require(error).description.contains("zip bomb by size"))
        #expect(left == ["target"])
    }

    @Test func tooManyEntriesIsRefused() throws {
        let limits = ExtractionLimits(maxTotalBytes: 1 << 20, maxEntries: 10, maxCompressionRatio: 200)
        let (error, left) = try attempt((0..<11).map { .file("f\($0).txt", [1]) }, limits: limits)
        #expect(try #require(error).description.contains("more than 10 entries"))
        #expect(left == ["target"])
    }

    @Test func nonUTF8NameIsRefused() throws {
        let (error, left) = try attempt([.file("ok.txt", [1]), .rawName([0x74, 0x2F, 0xC0, 0xAF, 0x2E, 0x2E], [1])])
        #expect(try #require(error).description.contains("not valid UTF-8"))
        #expect(left == ["target"])
    }

    @Test func caseInsensitiveDuplicateIsRefused() throws {
        let (error, _) = try attempt([.file("tools/Install.ps1", [1]), .file("TOOLS/install.ps1", [2])])
        #expect(try #require(error).description.contains("occurs twice"))
    }

    @Test func fileAndFolderWithOneNameIsRefused() throws {
        let (error, _) = try attempt([.file("bin", [1]), .file("bin/x", [2])])
        #expect(try #require(error).description.contains("both a file and a folder"))
    }

    @Test func truncatedZipIsRefused() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        let whole = sandbox.file("whole.nupkg")
        try ArchiveBuilder.build([.file("a.nuspec", ArchiveBuilder.nuspec()), .file("tools/x.txt", Array(repeating: 7, count: 5000))], at: whole)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let truncated = sandbox.file("truncated.nupkg")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: NupkgError.self) { try PackageReader.readManifest(at: truncated) }
        #expect(throws: NupkgError.self) { try PackageExtractor.extract(truncated, to: sandbox.file("out")) }
        #expect(!sandbox.listing().contains { $0.hasPrefix("out/") })
    }

    @Test func safePackageExtracts() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        let package = sandbox.file("ok.nupkg")
        try ArchiveBuilder.build([
            .file("Attack.Test.nuspec", ArchiveBuilder.nuspec()),
            .file("tools/a%20file%20with%20spaces%2Bplus%25percent.txt", [1]),
            .file("tools/ümlaut ä.txt", [2]),
            .file("tools/nested/deep.txt", [3]),
        ], at: package)
        let written = try PackageExtractor.extract(package, to: sandbox.file("out"))
        #expect(written.sorted() == ["Attack.Test.nuspec", "tools/a file with spaces+plus%percent.txt", "tools/nested/deep.txt", "tools/ümlaut ä.txt"])
        #expect(FileManager.default.contents(atPath: sandbox.file("out/tools/nested/deep.txt")) == Data([3]))
    }

    @Test func existingNonEmptyTargetIsRefused() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        try ArchiveBuilder.build([.file("a.txt", [1])], at: sandbox.file("p.nupkg"))
        try FileManager.default.createDirectory(atPath: sandbox.file("out"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: sandbox.file("out/keep.txt"), contents: Data([9]))
        #expect(throws: NupkgError.self) { try PackageExtractor.extract(sandbox.file("p.nupkg"), to: sandbox.file("out")) }
        #expect(FileManager.default.contents(atPath: sandbox.file("out/keep.txt")) == Data([9]))
    }
}

@Suite("Package structure attacks")
struct PackageStructureTests {
    private func read(_ items: [ArchiveBuilder.Item]) throws -> NupkgError? {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        try ArchiveBuilder.build(items, at: sandbox.file("p.nupkg"))
        do { _ = try PackageReader.readManifest(at: sandbox.file("p.nupkg")); return nil } catch { return error }
    }

    @Test func noNuspec() throws {
        #expect(try read([.file("tools/x.txt", [1]), .file("sub/a.nuspec", ArchiveBuilder.nuspec())])?.description.contains("no .nuspec manifest") == true)
    }

    @Test func twoNuspecs() throws {
        let error = try read([.file("a.nuspec", ArchiveBuilder.nuspec()), .file("B.NUSPEC", ArchiveBuilder.nuspec())])
        #expect(error?.description.contains("found 2: a.nuspec, B.NUSPEC") == true)
    }

    @Test func percentEncodedNuspecName() throws {
        #expect(try read([.file("package%20.nuspec", ArchiveBuilder.nuspec())]) == nil)
    }

    @Test func notAZip() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        _ = FileManager.default.createFile(atPath: sandbox.file("x.nupkg"), contents: Data("hello, not a zip".utf8))
        #expect(throws: NupkgError.self) { try PackageReader.readManifest(at: sandbox.file("x.nupkg")) }
    }

    @Test func cp437NamesAreDecodedForListing() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        try ArchiveBuilder.build([.file("a.nuspec", ArchiveBuilder.nuspec()), .rawName([0x81, 0x2E, 0x74, 0x78, 0x74], [1])], at: sandbox.file("p.nupkg"))
        let names = try PackageReader.entries(at: sandbox.file("p.nupkg")).map(\.name)
        #expect(names.contains("ü.txt"))
    }
}

@Suite("Zip edge cases")
struct ZipEdgeCaseTests {
    /// NuGet.Client's tiny Zip64 and signature-entry archives: each is listed (or refused with a clear
    /// error), never a crash or a hang.
    @Test(arguments: Corpus.files("nupkg/zip-edge-cases", suffix: ".zip"))
    func corpusZipEdgeCasesAreHandled(path: String) {
        do {
            let entries = try PackageReader.entries(at: path)
            #expect(entries.allSatisfy { !$0.name.isEmpty })
        } catch {
            #expect(error.description.hasPrefix(path))
        }
    }

    @Test func rawUTF8NamesWithoutTheFlagDecode() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        // NuGet 2.8.7 stores non-ASCII names as raw UTF-8 without the zip UTF-8 flag (bit 11).
        try ArchiveBuilder.build([.file("a.nuspec", ArchiveBuilder.nuspec()), .rawName(Array("tools/ümlaut ä.txt".utf8), [7])],
                                 at: sandbox.file("p.nupkg"))
        #expect(try PackageReader.entries(at: sandbox.file("p.nupkg")).map(\.name).contains("tools/ümlaut ä.txt"))
        try PackageExtractor.extract(sandbox.file("p.nupkg"), to: sandbox.file("out"))
        #expect(FileManager.default.contents(atPath: sandbox.file("out/tools/ümlaut ä.txt")) == Data([7]))
    }

    @Test func zip64PackageReads() throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        // Python's zipfile writes Zip64 extra fields when asked to (force_zip64), as large Chocolatey packages carry.
        let script = """
        import zipfile, sys
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            with z.open('tools/payload.bin', 'w', force_zip64=True) as f: f.write(b'x' * 100000)
            z.writestr('Zip64.Test.nuspec', '<package><metadata><id>Zip64.Test</id><version>1.0.0</version></metadata></package>')
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, sandbox.file("z.nupkg")]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let info = try PackageReader.inspect(at: sandbox.file("z.nupkg"))
        #expect(info.nuspec.id == "Zip64.Test")
        #expect(info.files.first?.name == "tools/payload.bin")
    }
}
