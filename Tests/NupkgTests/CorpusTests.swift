import Foundation
import Nupkg
import Testing

/// The shared corpus of real third-party packages, found relative to this file (../shared/corpus from the checkout)
/// or through CCM_UPGRADE_CORPUS.
enum Corpus {
    static let root: String = {
        if let override = ProcessInfo.processInfo.environment["CCM_UPGRADE_CORPUS"] { return override }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return checkout.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }()

    static func files(_ folder: String, suffix: String = ".nupkg") -> [String] {
        let directory = root + "/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { directory + "/" + $0 }
    }

    static var realPackages: [String] { files("nupkg/real") }
    static var malformedPackages: [String] { files("nupkg/malformed") }
}

/// Runs a command and returns its standard output.
func runTool(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite("Real corpus packages")
struct CorpusTests {
    @Test func corpusIsPresent() {
        #expect(Corpus.realPackages.count >= 79, "corpus not found at \(Corpus.root); set CCM_UPGRADE_CORPUS")
        #expect(Corpus.malformedPackages.count == 5)
    }

    @Test(arguments: Corpus.realPackages)
    func realPackageReads(path: String) throws {
        let info = try PackageReader.inspect(at: path)
        #expect(!info.nuspec.id.isEmpty)
        #expect(info.size > 0)
        let expected = try runTool(["sha512sum", path]).split(separator: " ").first.map(String.init)
        #expect(info.sha512?.hex == expected)
        #expect(info.sha512?.matches(try #require(expected)) == true)
        // Reading the manifest alone gives the same metadata as the full inspection.
        #expect(try PackageReader.readManifest(at: path) == info.nuspec)
    }

    @Test(arguments: [
        ("pynuget-invalid_name.nupkg", "nuspec field 'id': 'NuGetTest invalid %name!~' is not a valid package id"),
        ("pynuget-invalid_nuspec.nupkg", "nuspec field 'version': the version is missing"),
        ("pynuget-invalid_version.nupkg", "nuspec field 'version': invalid version 'hahah !0.0.1~'"),
        ("pynuget-multiple_nuspec.nupkg", "expected exactly one .nuspec at the root, found 2"),
        ("pynuget-no_nuspec.nupkg", "no .nuspec manifest at the root of the package"),
    ])
    func malformedPackageFails(name: String, message: String) {
        let path = Corpus.root + "/nupkg/malformed/" + name
        do {
            _ = try PackageReader.readManifest(at: path)
            Issue.record("\(name) was accepted")
        } catch {
            #expect(error.description.hasPrefix(path))
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func knownMetadata() throws {
        let nonNormalized = try PackageReader.readManifest(at: Corpus.root + "/nupkg/real/nonnormalizedversions.004.0.01.0.nupkg")
        #expect(nonNormalized.version.originalString == "004.0.01.0")
        #expect(nonNormalized.version.normalized == "4.0.1")
        let updated = try PackageReader.readManifest(at: Corpus.root + "/nupkg/real/TestUpdatePackage.1.0.nupkg")
        #expect(updated.version.originalString == "1.0.0.0")
        let signed = try PackageReader.inspect(at: Corpus.root + "/nupkg/real/SignedPackage.1.0.0.nupkg")
        #expect(signed.isSigned)
        #expect(!signed.files.contains { $0.name == ".signature.p7s" })
    }
}
