import Foundation
import Nupkg
import Testing
import Versioning

@Suite("Package writing")
struct PackageWriterTests {
    static func sampleNuspec(id: String = "Ccm.Writer.Sample", version: String = "1.2.3") throws -> Nuspec {
        var nuspec = try NuspecReader.read(Array("""
            <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"><metadata>
            <id>\(id)</id><version>\(version)</version><authors>ccm-upgrade tests</authors><description>Written by PackageWriter</description>
            <tags>ccm test</tags></metadata></package>
            """.utf8), source: "sample")
        nuspec.dependencyGroups = []
        return nuspec
    }

    static let payload: [PackageWriter.File] = [
        .init(target: "tools/chocolateyInstall.ps1", content: .bytes(Array("Write-Host 'hello'\r\n".utf8))),
        .init(target: "content/a file with spaces+plus%percent.txt", content: .bytes([1, 2, 3])),
        .init(target: "content/at@sign#hash.txt", content: .bytes([4])),
        .init(target: "content/ümlaut ä.txt", content: .bytes([5])),
        .init(target: "content/LICENSE", content: .bytes(Array("no extension".utf8))),
    ]

    @Test func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("sample.nupkg")
        try PackageWriter.write(nuspec: try Self.sampleNuspec(), files: Self.payload, to: path)
        let info = try PackageReader.inspect(at: path)
        #expect(info.nuspec.id == "Ccm.Writer.Sample")
        #expect(info.nuspec.version.normalized == "1.2.3")
        #expect(info.files.map(\.name).sorted() == Self.payload.map(\.target).sorted())
        #expect(info.entries.contains { $0.name == "[Content_Types].xml" })
        #expect(info.entries.contains { $0.name == "_rels/.rels" })
        #expect(info.entries.contains { $0.name.hasPrefix("package/services/metadata/core-properties/") && $0.name.hasSuffix(".psmdcp") })
        #expect(info.entries.contains { $0.storedName == "content/a%20file%20with%20spaces%2Bplus%25percent.txt" })
        // Deterministic: the same input gives the same bytes.
        let again = folder.file("again.nupkg")
        try PackageWriter.write(nuspec: try Self.sampleNuspec(), files: Self.payload, to: again)
        #expect(try PackageHash.sha512(ofFileAt: again) == info.sha512)
        // Extraction gives back the original names and content.
        let out = folder.file("out")
        try PackageExtractor.extract(path, to: out)
        #expect(FileManager.default.contents(atPath: out + "/content/ümlaut ä.txt") == Data([5]))
        #expect(FileManager.default.contents(atPath: out + "/content/a file with spaces+plus%percent.txt") == Data([1, 2, 3]))
    }

    @Test func streamsLargeFilesFromDisk() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let big = folder.file("big.bin")
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(3 << 20) / 8).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        _ = FileManager.default.createFile(atPath: big, contents: Data(bytes))
        try PackageWriter.write(nuspec: try Self.sampleNuspec(), files: [.init(target: "tools/big.bin", content: .path(big))], to: folder.file("p.nupkg"))
        try PackageExtractor.extract(folder.file("p.nupkg"), to: folder.file("out"))
        #expect(FileManager.default.contents(atPath: folder.file("out/tools/big.bin")) == Data(bytes))
    }

    @Test(arguments: ["../x", "/abs", "_rels/.rels", "package/services/x", "Other.nuspec", "C:/x"])
    func refusesReservedOrUnsafeTargets(target: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        #expect(throws: NupkgError.self) {
            try PackageWriter.write(nuspec: try Self.sampleNuspec(), files: [.init(target: target, content: .bytes([1]))], to: folder.file("p.nupkg"))
        }
        #expect(folder.listing().isEmpty, "no temporary file is left behind")
    }

    @Test func nuspecWriterRoundTripsEveryField() throws {
        let xml = "<package xmlns=\"http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd\">\(NuspecReaderTests.fullMetadata)</package>"
        var original = try NuspecReader.read(Array(xml.utf8), source: "full")
        original.files = []
        let written = NuspecWriter.xml(for: original)
        let reread = try NuspecReader.read(Array(written.utf8), source: "rewritten")
        #expect(reread == original)
    }

    /// The real NuGet 2.8.7 client (Debian's `nuget`, on Mono) installs a package this tool wrote.
    @Test func realNuGetClientInstallsWrittenPackage() throws {
        let nuget = "/usr/bin/nuget"
        try #require(FileManager.default.isExecutableFile(atPath: nuget), "the real nuget client is missing: run `apt-get install -y nuget` (make setup does)")
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let feed = folder.file("feed")
        try FileManager.default.createDirectory(atPath: feed, withIntermediateDirectories: true)
        let nuspec = try Self.sampleNuspec(version: "2.0.1")
        try PackageWriter.write(nuspec: nuspec, files: Self.payload, to: feed + "/" + PackageIdentity(id: nuspec.id, version: nuspec.version).fileName)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["120", nuget, "install", nuspec.id, "-Version", "2.0.1", "-Source", feed,
                             "-OutputDirectory", folder.file("installed"), "-NonInteractive"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "nuget install failed: \(log)")
        let installed = folder.file("installed/Ccm.Writer.Sample.2.0.1")
        #expect(FileManager.default.contents(atPath: installed + "/tools/chocolateyInstall.ps1") == Data("Write-Host 'hello'\r\n".utf8), "\(log)")
        #expect(FileManager.default.contents(atPath: installed + "/content/a file with spaces+plus%percent.txt") == Data([1, 2, 3]), "\(log)")
        #expect(FileManager.default.contents(atPath: installed + "/content/ümlaut ä.txt") == Data([5]), "\(log)")
    }
}
