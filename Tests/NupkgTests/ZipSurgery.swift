import Foundation
@testable import Nupkg
import Testing

/// Python's `zipfile` as the reference reader and as a writer of test archives.
enum PythonZip {
    /// Writes the archive `kind` (argv[1]) at the path argv[2]: three entries (two made on Unix with modes,
    /// one on DOS with a UTF-8 name), plus a zip64-forced entry, an archive comment, or nothing at all.
    /// "zip64" is Python's own writer with its thresholds lowered, so sizes, offsets and the end record go
    /// through zip64 fields; "info-zip" is Info-ZIP's `zip -fz` (zip64 forced).
    static let builder = #"""
    import os, subprocess, sys, tempfile, zipfile
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "zip64":
        zipfile.ZIP64_LIMIT = 0
        zipfile.ZIP_FILECOUNT_LIMIT = 0
    if kind == "info-zip":
        with tempfile.TemporaryDirectory() as folder:
            os.makedirs(folder + "/tools")
            open(folder + "/a.nuspec", "wb").write(b"<package/>" * 20)
            open(folder + "/tools/install.ps1", "wb").write(b"Write-Host hi\r\n" * 50)
            subprocess.run(["zip", "-q", "-X", "-fz", path, "a.nuspec", "tools/install.ps1"], cwd=folder, check=True)
        sys.exit(0)
    def entry(name, system=3, mode=0o100644):
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
        info.create_system = system
        info.external_attr = mode << 16 if system == 3 else 0x20
        info.compress_type = zipfile.ZIP_DEFLATED
        return info
    def put(archive, info, data):
        with archive.open(info, "w", force_zip64=kind == "zip64") as stream:
            stream.write(data)
    with zipfile.ZipFile(path, "w") as archive:
        if kind != "empty":
            put(archive, entry("Package.nuspec"), b"<package/>" * 20)
            put(archive, entry("tools/chocolateyInstall.ps1", mode=0o100755), b"Write-Host hi\r\n" * 50)
            put(archive, entry("content/d\u00e9j\u00e0 vu.txt", system=0), b"")
        if kind == "force-zip64":
            with archive.open(entry("lib/big.bin"), "w", force_zip64=True) as big:
                big.write(b"x" * 1000)
        if kind == "comment":
            archive.comment = b"an archive comment"
    """#

    /// Writes every record of the archive argv[1] as zipfile reads it to the file argv[2] (a file, not a pipe:
    /// Foundation's pipe reader traps on EINTR); the name goes back to its stored bytes (UTF-8 when flag bit
    /// 11 is set, else CP437, which maps all 256 bytes).
    static let reader = #"""
    import json, sys, zipfile
    with zipfile.ZipFile(sys.argv[1]) as archive, open(sys.argv[2], "w") as output:
        output.write(json.dumps([{
            "name": info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437").hex(),
            "offset": info.header_offset, "compressed": info.compress_size, "uncompressed": info.file_size,
            "crc": info.CRC, "flags": info.flag_bits, "method": info.compress_type,
            "external": info.external_attr, "system": info.create_system} for info in archive.infolist()]))
    """#

    struct Record: Decodable {
        let name: String
        let offset, compressed, uncompressed: Int64
        let crc, external: UInt32
        let flags, method: UInt16
        let system: Int

        var entry: ZipDirectoryEntry {
            let hex = Array(name.utf8)
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
            return ZipDirectoryEntry(rawName: bytes, localHeaderOffset: offset, compressedSize: compressed, uncompressedSize: uncompressed,
                                     crc32: crc, flags: flags, method: method, unixMode: system == 3 ? external >> 16 : nil,
                                     externalAttributes: external)
        }
    }

    /// What zipfile reads from the archive at `path`, as entries.
    static func records(_ path: String) throws -> [ZipDirectoryEntry] {
        let output = path + ".python.json"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try run(reader, [path, output])
        return try JSONDecoder().decode([Record].self, from: Data(contentsOf: URL(fileURLWithPath: output))).map(\.entry)
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: "python3 exited with \(process.terminationStatus) for \(arguments)") }
    }
}

/// A zip's bytes with the positions of its structures, for byte surgery. Assumes no archive comment.
struct ZipBytes {
    var bytes: [UInt8]

    static func build(_ kind: String, at path: String) throws -> ZipBytes {
        try PythonZip.run(PythonZip.builder, [kind, path])
        return ZipBytes(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func write(to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    var endRecord: Int { bytes.count - 22 }
    var locator: Int { endRecord - 20 }
    var zip64Record: Int { Int(u64(locator + 8)) }
    var directoryOffset: Int { Int(u32(endRecord + 16)) }
    var directorySize: Int { Int(u32(endRecord + 12)) }
    /// The offsets of the central-directory records (the classic end record's count and offset are real
    /// in every base archive). Read it before changing a record's lengths.
    var records: [Int] {
        var offsets: [Int] = []
        var position = directoryOffset
        for _ in 0..<Int(u16(endRecord + 10)) {
            offsets.append(position)
            position += 46 + Int(u16(position + 28)) + Int(u16(position + 30)) + Int(u16(position + 32))
        }
        return offsets
    }
    /// Where a record's extra field starts (Python puts the zip64 field first).
    func extra(of record: Int) -> Int { record + 46 + Int(u16(record + 28)) }

    func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
    mutating func set16(_ at: Int, _ value: UInt16) { for i in 0..<2 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
    mutating func set32(_ at: Int, _ value: UInt32) { for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
    mutating func set64(_ at: Int, _ value: UInt64) { for i in 0..<8 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) } }
}

/// One hostile archive: a valid base archive ("plain" or "zip64", see ``PythonZip/builder``) changed by
/// `surgery`, which returns a fragment the `.notAZip` message must contain.
struct ZipAttack: Sendable, CustomTestStringConvertible {
    let name: String
    let base: String
    let surgery: @Sendable (inout ZipBytes) -> String

    var testDescription: String { name }

    init(_ name: String, _ base: String = "plain", _ surgery: @escaping @Sendable (inout ZipBytes) -> String) {
        self.name = name
        self.base = base
        self.surgery = surgery
    }

    static let noEndRecord = "no end-of-central-directory record (signature 0x06054b50"

    static let all: [ZipAttack] = [
        ZipAttack("empty file") { zip in zip.bytes = []; return "the file is 0 bytes, shorter than the 22-byte" },
        ZipAttack("21-byte file") { zip in zip.bytes = Array(zip.bytes.prefix(21)); return "the file is 21 bytes" },
        ZipAttack("truncated file") { zip in zip.bytes = Array(zip.bytes.prefix(zip.bytes.count / 2)); return noEndRecord },
        ZipAttack("end record missing") { zip in zip.set32(zip.endRecord, 0); return noEndRecord },
        ZipAttack("bytes after the end record") { zip in zip.bytes += [0, 0, 0]; return "is not a record whose comment ends at the end of the file" },
        ZipAttack("multi-disk archive") { zip in zip.set16(zip.endRecord + 4, 1); return "expected a single-disk archive" },
        ZipAttack("directory offset past the end") { zip in
            zip.set32(zip.endRecord + 16, UInt32(zip.bytes.count + 100))
            return "the central directory offset \(zip.bytes.count + 100) is past the record itself"
        },
        ZipAttack("directory size past the end record") { zip in
            zip.set32(zip.endRecord + 12, UInt32(zip.directorySize + 10))
            return "runs past the record itself"
        },
        ZipAttack("gap between directory and end record") { zip in
            zip.set32(zip.endRecord + 12, UInt32(zip.directorySize - 1))
            return "expected it to end where the record starts (\(zip.endRecord))"
        },
        ZipAttack("directory offset 0xFFFFFFFF without zip64") { zip in zip.set32(zip.endRecord + 16, 0xFFFF_FFFF); return "no zip64 locator" },
        ZipAttack("count above the records") { zip in
            zip.set16(zip.endRecord + 8, 4)
            zip.set16(zip.endRecord + 10, 4)
            return "the end-of-central-directory record lists 4 entries, the central directory holds 3"
        },
        ZipAttack("count below the records") { zip in
            let third = zip.records[2]
            zip.set16(zip.endRecord + 8, 2)
            zip.set16(zip.endRecord + 10, 2)
            return "central directory record 3 at offset \(third): expected the directory to end after the 2 records"
        },
        ZipAttack("huge entry count") { zip in
            zip.set16(zip.endRecord + 8, 0xFFFF)
            zip.set16(zip.endRecord + 10, 0xFFFF)
            return "65535 records cannot fit in a central directory of \(zip.directorySize) bytes"
        },
        ZipAttack("bad record signature") { zip in
            let record = zip.records[1]
            zip.set32(record, 0x0201_4b51)
            return "central directory record 2 at offset \(record): expected signature 0x02014b50"
        },
        ZipAttack("name length past the directory end") { zip in
            let record = zip.records[2]
            zip.set16(record + 28, 0xFFFF)
            return "record 3 at offset \(record): the name runs"
        },
        ZipAttack("extra length past the directory end") { zip in zip.set16(zip.records[2] + 30, 0xFFFF); return "the extra field runs" },
        ZipAttack("comment length past the directory end") { zip in
            let record = zip.records[0]
            zip.set16(record + 32, 0xFFFF)
            return "record 1 at offset \(record): the comment runs"
        },
        ZipAttack("local header after the directory") { zip in
            zip.set32(zip.records[0] + 42, UInt32(zip.directoryOffset))
            return "expected the local header (offset \(zip.directoryOffset)) before the central directory"
        },
        ZipAttack("compressed size past the directory") { zip in
            zip.set32(zip.records[1] + 20, UInt32(zip.directoryOffset))
            return "the compressed size \(zip.directoryOffset) runs past the start of the central directory"
        },
        ZipAttack("entry on another disk") { zip in zip.set16(zip.records[0] + 34, 2); return "expected the entry on disk 0, found disk 2" },
        ZipAttack("zip64 locator pointing outside", "zip64") { zip in
            zip.set64(zip.locator + 8, UInt64(zip.bytes.count))
            return "the zip64 end record's offset \(zip.bytes.count) leaves no room"
        },
        ZipAttack("zip64 locator offset at 2^64-1", "zip64") { zip in zip.set64(zip.locator + 8, .max); return "leaves no room" },
        ZipAttack("zip64 locator on another disk", "zip64") { zip in zip.set32(zip.locator + 4, 1); return "expected a single-disk archive" },
        ZipAttack("zip64 end record signature", "zip64") { zip in zip.set32(zip.zip64Record, 0); return "expected signature 0x06064b50" },
        ZipAttack("zip64 end record size past the locator", "zip64") { zip in zip.set64(zip.zip64Record + 4, .max); return "runs past the locator" },
        ZipAttack("zip64 count disagrees with the end record", "zip64") { zip in
            zip.set64(zip.zip64Record + 24, 2)
            zip.set64(zip.zip64Record + 32, 2)
            return "its entry count 2 disagrees with the end-of-central-directory record's 3"
        },
        ZipAttack("zip64 huge entry count", "zip64") { zip in
            zip.set16(zip.endRecord + 8, 0xFFFF)
            zip.set16(zip.endRecord + 10, 0xFFFF)
            zip.set64(zip.zip64Record + 24, 1 << 62)
            zip.set64(zip.zip64Record + 32, 1 << 62)
            return "\(1 << 62) records cannot fit"
        },
        ZipAttack("zip64 directory offset above Int64", "zip64") { zip in
            zip.set32(zip.endRecord + 16, 0xFFFF_FFFF)
            zip.set64(zip.zip64Record + 48, .max)
            return "a directory size, offset or count above"
        },
        ZipAttack("zip64 extra field too short", "zip64") { zip in
            let extra = zip.extra(of: zip.records[0])
            zip.set16(extra + 2, 8)
            return "expected a zip64 extra field (id 0x0001) of 16 bytes for the uncompressed size, compressed size, it has 8 bytes"
        },
        ZipAttack("zip64 extra field missing", "zip64") { zip in
            zip.set16(zip.extra(of: zip.records[1]), 0x9999)
            return "of 24 bytes for the uncompressed size, compressed size, local header offset, it is missing"
        },
        ZipAttack("zip64 extra field past the extra field", "zip64") { zip in
            zip.set16(zip.extra(of: zip.records[0]) + 2, 0x0100)
            return "the zip64 extra field's 256 bytes run past the end of the extra field"
        },
        ZipAttack("zip64 size above Int64", "zip64") { zip in
            zip.set64(zip.extra(of: zip.records[0]) + 4, .max)
            return "the zip64 uncompressed size \(UInt64.max) is out of range"
        },
        ZipAttack("zip64 local header offset past the directory", "zip64") { zip in
            zip.set64(zip.extra(of: zip.records[1]) + 20, UInt64(zip.bytes.count))
            return "expected the local header (offset \(zip.bytes.count)) before the central directory"
        },
    ]
}
