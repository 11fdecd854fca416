import Foundation
import Testing

@testable import Nupkg

/// The vet a download runs while the bytes arrive (libarchive's streamable reader), confirmed afterwards
/// against the central directory. The rule under test: a streamed verdict that is confirmed is exactly the
/// full vet's verdict; anything the stream could not see sends the package to the full vet.
@Suite("Vetting a package while it streams in")
struct StreamingVetTests {
    /// Feeds `bytes` in pieces of `pieceSize` (each piece valid until the next call, as a download's are).
    static func vetStream(_ bytes: [UInt8], pieceSize: Int, name: String = "stream",
                          archiveSize: Int64? = nil) throws(NupkgError) -> StreamedVet {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = 0
        return try PackageVetter.vetStream(name: name, archiveSize: archiveSize ?? Int64(bytes.count)) {
            guard offset < bytes.count else { return nil }
            let count = min(pieceSize, bytes.count - offset)
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            offset += count
            return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        }
    }

    static func contents(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Runs a Python script (zipfile builds the archives, byte surgery breaks them) with `arguments`.
    static func python(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python failed")
    }

    /// Every real package: streamed in odd and in large pieces, confirmed, and equal to the full vet.
    @Test(arguments: Corpus.realPackages + Corpus.files("nupkg/zip-edge-cases", suffix: ".zip"))
    func confirmedVerdictEqualsTheFullVet(path: String) throws {
        let bytes = try Self.contents(path)
        let full = Result { () throws(NupkgError) in try PackageVetter.vet(path) }
        for pieceSize in [4093, 1 << 20] {
            let confirmed = (try? Self.vetStream(bytes, pieceSize: pieceSize)).flatMap { try? PackageVetter.confirm($0, path: path) }
            guard let confirmed else {
                // Not confirmed: allowed (the full vet decides), but a real, well-formed package should confirm.
                if case .success = full, path.contains("/nupkg/real/") { Issue.record("\(path) did not confirm in pieces of \(pieceSize)") }
                continue
            }
            let vetted = try #require(try? full.get(), "\(path): confirmed by the stream but refused by the full vet")
            #expect(confirmed == vetted, "\(path)")
        }
    }

    /// Broken packages: never confirmed while the full vet refuses them.
    @Test(arguments: Corpus.malformedPackages)
    func malformedPackagesAreNeverConfirmed(path: String) throws {
        let streamed = try? Self.vetStream(try Self.contents(path), pieceSize: 4093)
        let confirmed = streamed.flatMap { try? PackageVetter.confirm($0, path: path) }
        #expect(confirmed == nil)
        #expect(throws: NupkgError.self) { try PackageVetter.vet(path) }
    }

    static let nuspec = "<package><metadata><id>Stream.Test</id><version>1.0.0</version><authors>t</authors><description>d</description></metadata></package>"

    /// Archives the stream sees differently from the central directory: the stream's verdict must not stand,
    /// and the full vet's (`fullVetAccepts`) is the one that counts.
    @Test(arguments: [
        // A local entry the directory no longer lists (an archive updated in place): NuGet never sees it.
        ("stale local entry", """
        import zipfile, sys, struct
        path = sys.argv[1]
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2]); z.writestr('tools/a.txt', 'a'); z.writestr('tools/b.txt', 'b')
        data = open(path, 'rb').read()
        with zipfile.ZipFile(path) as z: infos = z.infolist()
        eocd = data.rindex(b'PK\\x05\\x06'); cd = struct.unpack('<I', data[eocd+16:eocd+20])[0]
        records = []; pos = cd
        for _ in infos:
            n, e, c = struct.unpack('<HHH', data[pos+28:pos+34]); size = 46 + n + e + c
            records.append(data[pos:pos+size]); pos += size
        kept = records[0] + records[1]
        eocd_record = data[eocd:eocd+8] + struct.pack('<HHII', 2, 2, len(kept), cd) + data[eocd+20:eocd+22]
        open(path, 'wb').write(data[:cd] + kept + eocd_record)
        """, true),
        // A header hidden inside another entry's stored data, with a wrong CRC: only the directory points at it.
        ("hidden header", """
        import zipfile, sys, struct, zlib
        path = sys.argv[1]
        inner_name = b'tools/evil.txt'; inner_data = b'evil bytes'
        inner = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, zlib.crc32(b'other'), len(inner_data), len(inner_data), len(inner_name), 0) + inner_name + inner_data
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2]); z.writestr('tools/outer.bin', b'0123' + inner)
        data = open(path, 'rb').read()
        with zipfile.ZipFile(path) as z: outer = z.getinfo('tools/outer.bin')
        outer_data = outer.header_offset + 30 + len(outer.filename) + len(outer.extra)
        hidden = outer_data + 4
        eocd = data.rindex(b'PK\\x05\\x06'); cd, = struct.unpack('<I', data[eocd+16:eocd+20]); cd_size, = struct.unpack('<I', data[eocd+12:eocd+16])
        record = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0, zlib.crc32(b'other'), len(inner_data), len(inner_data), len(inner_name), 0, 0, 0, 0, 0, hidden) + inner_name
        directory = data[cd:cd+cd_size] + record
        eocd_record = data[eocd:eocd+8] + struct.pack('<HHII', 3, 3, len(directory), cd) + data[eocd+20:eocd+22]
        open(path, 'wb').write(data[:cd] + directory + eocd_record)
        """, false),
        // The directory says deflate where the local header says stored: NuGet would inflate bytes nobody vetted.
        ("method differs", """
        import zipfile, sys, struct, zlib
        path = sys.argv[1]
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2]); z.writestr('tools/a.ps1', zlib.compress(b'Write-Host evil; ' * 60)[2:-4].ljust(300, b'\\0'))
        data = bytearray(open(path, 'rb').read())
        with zipfile.ZipFile(path) as z: info = z.getinfo('tools/a.ps1')
        eocd = data.rindex(b'PK\\x05\\x06'); cd, = struct.unpack('<I', data[eocd+16:eocd+20])
        pos = data.index(b'PK\\x01\\x02' + data[cd+4:cd+4], cd)
        while data[pos+46:pos+46+11] != b'tools/a.ps1': pos = data.index(b'PK\\x01\\x02', pos + 4)
        data[pos+10:pos+12] = struct.pack('<H', 8)
        open(path, 'wb').write(bytes(data))
        """, false),
        // The directory's compressed size reaches past the data into the next header.
        ("compressed size differs", """
        import zipfile, sys, struct
        path = sys.argv[1]
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2]); z.writestr('tools/a.txt', 'hello'); z.writestr('tools/b.txt', 'world')
        data = bytearray(open(path, 'rb').read())
        eocd = data.rindex(b'PK\\x05\\x06'); cd, = struct.unpack('<I', data[eocd+16:eocd+20])
        pos = cd
        while data[pos+46:pos+46+11] != b'tools/a.txt':
            n, e, c = struct.unpack('<HHH', data[pos+28:pos+34]); pos += 46 + n + e + c
        data[pos+20:pos+24] = struct.pack('<I', 40)
        open(path, 'wb').write(bytes(data))
        """, false),
        // A second end record, inside the comment, pointing at a directory of entries hidden in another entry's data.
        ("end record in the comment", """
        import zipfile, sys, struct, zlib
        path = sys.argv[1]
        name = b'Stream.Test.nuspec'; evil = sys.argv[2].replace('Stream.Test', 'Evil.Test').encode()
        hidden = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, zlib.crc32(evil), len(evil), len(evil), len(name), 0) + name + evil
        with zipfile.ZipFile(path, 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2]); z.writestr('tools/outer.bin', hidden)
        data = open(path, 'rb').read()
        with zipfile.ZipFile(path) as z: outer = z.getinfo('tools/outer.bin')
        at = outer.header_offset + 30 + len(outer.filename) + len(outer.extra)
        record = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0, 0, 0, 0, zlib.crc32(evil), len(evil), len(evil), len(name), 0, 0, 0, 0, 0, at) + name
        eocd = data.rindex(b'PK\\x05\\x06')
        fake_cd = len(data) + 0  # the fake directory starts inside the real record's comment
        comment = record + struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 1, 1, len(record), eocd + 22, 0) + b'12345678'
        open(path, 'wb').write(data[:eocd + 20] + struct.pack('<H', len(comment)) + comment)
        """, false),
        // A file the DOS attributes call a folder: libarchive skips its data as a folder's, NuGet extracts a file.
        ("folder by attributes only", """
        import zipfile, sys, zlib
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2])
            entry = zipfile.ZipInfo('tools/big.bin'); entry.create_system = 0; entry.external_attr = 0x10
            z.writestr(entry, b'x' * 4096)
        """, false),
        // A symbolic link: local headers carry no file type, the directory does.
        ("symbolic link", """
        import zipfile, sys
        with zipfile.ZipFile(sys.argv[1], 'w') as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2])
            link = zipfile.ZipInfo('tools/link'); link.create_system = 3; link.external_attr = (0o120777 << 16)
            z.writestr(link, '/etc/passwd')
        """, false),
    ])
    func directoryDisagreementsGoToTheFullVet(_ row: (name: String, script: String, fullVetAccepts: Bool)) throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        let path = sandbox.file("p.nupkg")
        try Self.python(row.script, [path, Self.nuspec])
        let streamed = try? Self.vetStream(try Self.contents(path), pieceSize: 4093)
        #expect(streamed.flatMap { try? PackageVetter.confirm($0, path: path) } == nil, "\(row.name): the stream's verdict stood")
        if row.fullVetAccepts {
            #expect((try? PackageVetter.vet(path)) != nil, "\(row.name)")
        } else {
            #expect(throws: NupkgError.self, "\(row.name)") { try PackageVetter.vet(path) }
        }
    }

    /// Written to a pipe, zipfile puts sizes and CRCs in data descriptors after the data (as streaming
    /// writers do): the stream still vets and confirms it, stored and deflated.
    @Test(arguments: ["ZIP_STORED", "ZIP_DEFLATED"])
    func dataDescriptorsStreamAndConfirm(method: String) throws {
        let sandbox = try TemporaryFolder()
        defer { sandbox.cleanup() }
        let path = sandbox.file("p.nupkg")
        try Self.python("""
        import zipfile, sys, io
        class Pipe(io.RawIOBase):
            def __init__(self, f): self.f = f
            def writable(self): return True
            def write(self, b): return self.f.write(b)
        with open(sys.argv[1], 'wb') as out, zipfile.ZipFile(Pipe(out), 'w', zipfile.\(method)) as z:
            z.writestr('Stream.Test.nuspec', sys.argv[2])
            with z.open('tools/payload.bin', 'w') as f: f.write(bytes(range(256)) * 4000)
        """, [path, Self.nuspec])
        let streamed = try Self.vetStream(try Self.contents(path), pieceSize: 4093)
        let confirmed = try #require(try PackageVetter.confirm(streamed, path: path))
        #expect(confirmed == (try PackageVetter.vet(path)))
        #expect(confirmed.contentBytes == Int64(256 * 4000 + Self.nuspec.utf8.count))
    }

    @Test func aTruncatedStreamIsRefused() throws {
        let bytes = try Self.contents(try #require(Corpus.realPackages.first))
        #expect(throws: NupkgError.self) { try Self.vetStream(Array(bytes.prefix(bytes.count / 2)), pieceSize: 4093) }
    }

    @Test func aFileOfAnotherSizeThanAnnouncedIsNotConfirmed() throws {
        let path = try #require(Corpus.realPackages.first)
        let bytes = try Self.contents(path)
        let streamed = try Self.vetStream(bytes, pieceSize: 1 << 20, archiveSize: Int64(bytes.count) - 1)
        #expect(try PackageVetter.confirm(streamed, path: path) == nil)
        #expect(try PackageVetter.confirm(try Self.vetStream(bytes, pieceSize: 1 << 20), path: path) != nil)
    }

    @Test func aConfirmedPackageStillMustBeTheOneRequested() throws {
        let path = try #require(Corpus.realPackages.first)
        let streamed = try Self.vetStream(try Self.contents(path), pieceSize: 1 << 20)
        let other = PackageIdentity(id: "Not.This.One", version: streamed.nuspec.version)
        #expect(throws: NupkgError.self) { try PackageVetter.confirm(streamed, path: path, expected: other) }
    }
}
