import Foundation
@testable import Nupkg
import Testing

/// The central-directory reader against Python's `zipfile` (the reference: every field of every record must
/// match), over the real corpus, zips written by Python and Info-ZIP, and hostile byte surgery.
@Suite("Zip central directory")
struct ZipDirectoryTests {
    static let edgeCaseZips = Corpus.files("nupkg/zip-edge-cases", suffix: ".zip")

    @Test func corpusIsPresent() {
        #expect(Corpus.realPackages.count >= 79, "corpus not found at \(Corpus.root); set CCM_UPGRADE_CORPUS")
        #expect(Self.edgeCaseZips.count == 7)
    }

    /// Every real package and NuGet's zip edge cases (zip64 extra fields, an empty zip64 archive).
    @Test(arguments: Corpus.realPackages + edgeCaseZips)
    func corpusArchiveMatchesPython(path: String) throws {
        let entries = try ZipDirectory.read(path: path)
        #expect(entries == (try PythonZip.records(path)))
        #expect(!entries.isEmpty || path.hasSuffix("EmptyZip64.zip"))
    }

    /// Archives written by Python's zipfile (see ``PythonZip/builder``) and Info-ZIP's `zip -fz`.
    @Test(arguments: ["plain", "comment", "force-zip64", "zip64", "zip64-saturated", "empty", "info-zip"])
    func writtenArchiveMatchesPython(kind: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("\(kind).zip")
        if kind == "zip64-saturated" {
            // Every classic end-record field saturated: the zip64 end record is the only source.
            var zip = try ZipBytes.build("zip64", at: path)
            zip.set16(zip.endRecord + 8, 0xFFFF)
            zip.set16(zip.endRecord + 10, 0xFFFF)
            zip.set32(zip.endRecord + 12, 0xFFFF_FFFF)
            zip.set32(zip.endRecord + 16, 0xFFFF_FFFF)
            try zip.write(to: path)
        } else {
            _ = try ZipBytes.build(kind, at: path)
        }
        let expected = try PythonZip.records(path)
        #expect(try ZipDirectory.read(path: path) == expected)
        #expect(expected.count == ["empty": 0, "info-zip": 2, "force-zip64": 4][kind] ?? 3)
        if kind.hasPrefix("zip64") || kind == "info-zip" {
            // The zip64 extra field supplied values: some record's classic field is saturated.
            #expect(expected.contains { $0.uncompressedSize > 0 })
        }
        if kind == "plain" {
            #expect(expected.map(\.unixMode) == [0o100644, 0o100755, nil], "Python wrote two Unix records and one DOS record")
        }
    }

    /// The archives this tool writes (libarchive's zip writer, behind `ArchiveWriter` and `PackageWriter`):
    /// data descriptors, deflate and an entry large enough to be streamed in chunks.
    @Test func libarchiveWrittenArchiveMatchesPython() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("written.nupkg")
        try ArchiveBuilder.build([.file("Written.nuspec", ArchiveBuilder.nuspec()), .zeros("tools/zeros.bin", 3 << 20),
                                  .rawName([0x74, 0xC3, 0xA9, 0x2E, 0x74, 0x78, 0x74], [1, 2, 3])], at: path)
        let entries = try ZipDirectory.read(path: path)
        #expect(entries == (try PythonZip.records(path)))
        #expect(entries.map(\.rawName) == [Array("Written.nuspec".utf8), Array("tools/zeros.bin".utf8), [0x74, 0xC3, 0xA9, 0x2E, 0x74, 0x78, 0x74]])
        #expect(entries[1].uncompressedSize == 3 << 20)
    }

    /// A record inside the comment would be the archive's directory for libarchive, Python and NuGet (they take
    /// the last signature) and not for a reader that checks the comment's length: refused, so no two readers disagree.
    @Test func signatureInsideTheCommentIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("tricky.zip")
        var zip = try ZipBytes.build("plain", at: path)
        let expected = try ZipDirectory.read(path: path)
        let comment: [UInt8] = Array("comment ".utf8) + [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18) + Array(" end".utf8)
        zip.set16(zip.endRecord + 20, UInt16(comment.count))
        zip.bytes += comment
        try zip.write(to: path)
        #expect(throws: NupkgError.self) { try ZipDirectory.read(path: path) }
        #expect(!expected.isEmpty)
    }

    @Test func aRecordBeyondLibarchivesWindowIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("long-comment.zip")
        var zip = try ZipBytes.build("plain", at: path)
        let comment = [UInt8](repeating: UInt8(ascii: "c"), count: 20_000)
        zip.set16(zip.endRecord + 20, UInt16(comment.count))
        zip.bytes += comment
        try zip.write(to: path)
        #expect(throws: NupkgError.self) { try ZipDirectory.read(path: path) }
    }

    @Test func entryLimitIsEnforced() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("three.zip")
        _ = try ZipBytes.build("plain", at: path)
        #expect(throws: NupkgError.limitExceeded(path: path, reason: "the central directory lists 3 entries, more than the limit of 2")) {
            try ZipDirectory.read(path: path, maxEntries: 2)
        }
        #expect(try ZipDirectory.read(path: path, maxEntries: 3).count == 3)
    }

    /// A 300 MiB directory (a sparse file: nothing is written but the end record) is refused before it is read.
    @Test func oversizedDirectoryIsRefusedBeforeItIsRead() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("sparse.zip")
        let size = 300 << 20
        var end = ZipBytes(bytes: [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        end.set16(8, 1)
        end.set16(10, 1)
        end.set32(12, UInt32(size))
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(end.bytes))
        try handle.close()
        #expect(throws: NupkgError.limitExceeded(path: path, reason: "the central directory is \(size) bytes, above the limit of \(256 << 20)")) {
            try ZipDirectory.read(path: path)
        }
    }

    @Test func missingFileCannotBeOpened() {
        #expect(throws: NupkgError.cannotOpen(path: "/nonexistent/x.nupkg", reason: "cannot open: No such file or directory")) {
            try ZipDirectory.read(path: "/nonexistent/x.nupkg")
        }
    }

    /// The exact message of a bad record signature: record number, file offset, what was expected.
    @Test func badRecordSignatureNamesRecordAndOffset() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("bad.zip")
        var zip = try ZipBytes.build("plain", at: path)
        let offset = zip.records[2]
        zip.set32(offset, 0x0201_4b51)
        try zip.write(to: path)
        #expect(throws: NupkgError.notAZip(path: path, message: "central directory record 3 at offset \(offset): expected signature 0x02014b50")) {
            try ZipDirectory.read(path: path)
        }
    }

    @Test(arguments: ZipAttack.all)
    func attackIsRefused(attack: ZipAttack) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.file("attack.zip")
        var zip = try ZipBytes.build(attack.base, at: path)
        let expected = attack.surgery(&zip)
        try zip.write(to: path)
        do {
            let entries = try ZipDirectory.read(path: path)
            Issue.record("\(attack.name): read \(entries.count) entries, expected a refusal")
        } catch {
            guard case let .notAZip(errorPath, message) = error else {
                Issue.record("\(attack.name): expected .notAZip, got \(error)")
                return
            }
            #expect(errorPath == path)
            #expect(message.contains(expected), "\(attack.name): '\(message)' lacks '\(expected)'")
        }
    }
}
