import Foundation
@testable import Nupkg
import Testing

/// PackageVetter applies the extractor's entry rules without writing, plus the checks only reading every
/// byte can make (CRC-32, real against declared sizes); inspect refuses the same names and types.
@Suite("Vetting packages before they are published")
struct VettingTests {
    private func build(_ items: [ArchiveBuilder.Item], in folder: TemporaryFolder) throws -> String {
        let package = folder.file("vet.nupkg")
        try ArchiveBuilder.build(items, at: package)
        return package
    }

    static let nuspec = ArchiveBuilder.Item.file("Attack.Test.nuspec", ArchiveBuilder.nuspec())

    // (hostile entry, expected reason fragment)
    @Test(arguments: [
        (ArchiveBuilder.Item.file("../../evil.txt", [1]), "'..' segments"),
        (.file("tools\\..\\..\\evil.txt", [1]), "'..' segments"),
        (.file("/etc/evil.txt", [1]), "absolute paths"),
        (.file("C:/evil.txt", [1]), "drive letters"),
        (.file("%2e%2e/evil.txt", [1]), "'..' segments"),
        (.symlink("tools/link", "/etc/passwd"), "symbolic links"),
        (.file("TOOLS/a.txt", [1]), "occurs twice"),
        (.zeros("tools/zeros.bin", 64 << 20), "zip bomb by ratio"),
    ])
    func hostileEntriesAreRefusedByVettingAndInspect(_ row: (ArchiveBuilder.Item, String)) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let package = try build([Self.nuspec, .file("tools/a.txt", [1]), row.0], in: folder)
        #expect(throws: NupkgError.self) { try PackageExtractor.extract(package, to: folder.file("out")) }
        do {
            _ = try PackageVetter.vet(package)
            Issue.record("vetting passed a package with \(row.1)")
        } catch {
            #expect(error.description.contains(row.1), "\(error)")
        }
        do {
            _ = try PackageReader.inspect(at: package)
            Issue.record("inspect listed a package with \(row.1)")
        } catch {
            #expect(error.description.contains(row.1), "\(error)")
        }
        // The nuspec alone still reads: what push and internalize used to check before publishing.
        #expect(try PackageReader.readManifest(at: package).id == "Attack.Test")
    }

    /// A byte flipped inside an entry's data: the manifest reads and lists, only reading the data (CRC-32)
    /// shows it. This is what catches damage in transit when the source publishes no SHA-512.
    @Test func flippedByteInEntryDataIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(256 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let package = try build([Self.nuspec, .file("tools/payload.bin", payload)], in: folder)
        #expect(try PackageVetter.vet(package).contentBytes > 256 << 10)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: package)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: package))
        #expect(try PackageReader.readManifest(at: package).id == "Attack.Test")
        #expect(throws: NupkgError.self) { try PackageVetter.vet(package) }
    }

    /// A central directory that declares another size than the data holds (a forged header hiding a bomb).
    @Test func declaredSizeThatLiesIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let content = Array(repeating: UInt8(ascii: "a"), count: 5000)
        let package = try build([Self.nuspec, .file("tools/a.txt", content)], in: folder)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: package)))
        // The uncompressed size sits in the local header (PK\3\4, offset 22), the data descriptor (PK\7\8,
        // offset 12) and the central directory (PK\1\2, offset 24): forge it everywhere, as an attacker would.
        var patched = 0
        for index in 0..<(bytes.count - 28) where bytes[index] == 0x50 && bytes[index + 1] == 0x4B {
            let offset: Int
            switch (bytes[index + 2], bytes[index + 3]) {
            case (3, 4): offset = 22
            case (7, 8): offset = 12
            case (1, 2): offset = 24
            default: continue
            }
            let field = index + offset
            let size = Int(bytes[field]) | Int(bytes[field + 1]) << 8 | Int(bytes[field + 2]) << 16 | Int(bytes[field + 3]) << 24
            if size == 5000 { bytes[field] = 0x10; bytes[field + 1] = 0x00; patched += 1 }
        }
        try #require(patched >= 2)
        try Data(bytes).write(to: URL(fileURLWithPath: package))
        #expect(throws: NupkgError.self) { try PackageVetter.vet(package) }
    }

    @Test(arguments: Corpus.realPackages)
    func realPackagesPassVetting(_ path: String) throws {
        let vetted = try PackageVetter.vet(path)
        #expect(try vetted.identity == PackageReader.inspect(at: path).identity)
        #expect(vetted.entryCount > 0)
    }

    @Test func safePackageReportsItsContent() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let package = try build([Self.nuspec, .file("tools/a.txt", [1, 2, 3]), .file("tools/sub/b.txt", [4])], in: folder)
        let vetted = try PackageVetter.vet(package)
        #expect(vetted.identity.id == "Attack.Test")
        #expect(vetted.entryCount == 3)
        #expect(vetted.contentBytes == Int64(ArchiveBuilder.nuspec().count + 4))
    }
}
