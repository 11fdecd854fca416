import FileSupport
import Foundation

/// One central-directory record of a zip archive.
public struct ZipDirectoryEntry: Sendable, Hashable {
    /// The name bytes exactly as stored in the record.
    public let rawName: [UInt8]
    /// Offset of the entry's local file header from the start of the file (zip64 extra field applied).
    public let localHeaderOffset: Int64
    public let compressedSize: Int64
    public let uncompressedSize: Int64
    public let crc32: UInt32
    /// General-purpose bit flags and compression method as recorded.
    public let flags: UInt16
    public let method: UInt16
    /// The Unix mode (external attributes >> 16) when the record was made on Unix (version-made-by host 3), else nil.
    public let unixMode: UInt32?
    /// The external attributes as recorded (low byte: the DOS attributes, 0x10 a folder).
    public let externalAttributes: UInt32

    /// Whether the record marks a folder (DOS attribute 0x10, or a Unix folder mode) although its name does
    /// not end in `/`. libarchive then reads it as a folder and skips its data, while NuGet, which goes by the
    /// name, extracts it as a file: readers disagree on what it is.
    public var isFolderByAttributesOnly: Bool {
        guard rawName.last != UInt8(ascii: "/") else { return false }
        return externalAttributes & 0x10 != 0 || unixMode.map { $0 & 0o170000 == 0o040000 } == true
    }
}

/// Indexes a zip's central directory, and nothing else: this is not a second zip reader.
///
/// The vetter reads a package front to back with libarchive's streamable reader (local headers, CRC-32s).
/// NuGet and libarchive's seekable reader see the archive through its central directory instead, so the
/// streamed verdict only stands once every entry the directory points at was among those vetted. libarchive
/// exposes neither the directory's local-header offsets nor its external attributes: this reader supplies
/// them for that cross-check. Entry data is never read or inflated here.
///
/// Hostile input is the normal case. Every length and offset is checked against the file before it is used,
/// all arithmetic is checked, nothing is allocated from a recorded size before that size was bounded by the
/// file (the directory is read in one read of at most ``maxDirectoryBytes``). Where readers differ, the
/// ambiguity is refused rather than resolved: the end record's comment must end exactly at the end of the
/// file; the directory must end exactly where the end record (or the zip64 end record) starts, so the
/// recorded offset and libarchive's "end record minus directory size" name the same bytes; a zip64 end
/// record must agree with every field of the classic one that is not saturated; the record count must be
/// the number of records actually found.
public enum ZipDirectory {
    /// The largest central directory read: 256 MiB is over five million minimal records.
    static let maxDirectoryBytes: Int64 = 256 << 20

    /// Reads every central-directory record of the zip at `path`, in directory order.
    ///
    /// Throws `.notAZip` naming what was expected where the structure is wrong, `.limitExceeded` when the
    /// directory lists more than `maxEntries` entries or is larger than 256 MiB, `.cannotOpen` when the file
    /// cannot be opened or read.
    public static func read(path: String, maxEntries: Int = 1_000_000) throws(NupkgError) -> [ZipDirectoryEntry] {
        try read(ZipFile(path: path), maxEntries: maxEntries).entries
    }

    static func read(_ file: ZipFile, maxEntries: Int) throws(NupkgError) -> (entries: [ZipDirectoryEntry], end: EndOfDirectory) {
        let path = file.path
        let end = try EndOfDirectory.locate(in: file)
        guard end.entryCount <= Int64(maxEntries) else {
            throw .limitExceeded(path: path, reason: "the central directory lists \(end.entryCount) entries, more than the limit of \(maxEntries)")
        }
        guard end.directorySize <= maxDirectoryBytes else {
            throw .limitExceeded(path: path, reason: "the central directory is \(end.directorySize) bytes, above the limit of \(maxDirectoryBytes)")
        }
        let directory = try file.bytes(at: end.directoryOffset, count: Int(end.directorySize))
        return (try DirectoryRecords.parse(directory, end: end, path: path), end)
    }
}

/// An open file read at recorded offsets; closed when the last reference goes.
final class ZipFile {
    let path: String
    let size: Int64
    private let descriptor: Int32

    init(path: String) throws(NupkgError) {
        self.path = path
        do throws(FileIOError) { descriptor = try FileIO.openForReading(path) } catch { throw .cannotOpen(path: path, reason: error.reason) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw .cannotOpen(path: path, reason: "not a regular file")
        }
        size = Int64(status.st_size)
    }

    deinit { close(descriptor) }

    /// `count` bytes from `offset`; the caller has checked that they lie inside the file.
    func bytes(at offset: Int64, count: Int) throws(NupkgError) -> [UInt8] {
        var failure: FileIOError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(FileIOError) {
                try FileIO.readExactly(descriptor, into: UnsafeMutableRawBufferPointer(buffer), atOffset: offset, path: path)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw .cannotOpen(path: path, reason: failure.reason) }
        return bytes
    }

    func notAZip(_ message: String) -> NupkgError { .notAZip(path: path, message: message) }
}

/// Little-endian fields of a zip structure, at indices of the collection (a slice keeps its base's indices).
/// Callers check `offset + width <= endIndex` first.
extension RandomAccessCollection where Element == UInt8, Index == Int {
    func uint16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func uint32(at offset: Int) -> UInt32 { UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16 }
    func uint64(at offset: Int) -> UInt64 { UInt64(uint32(at: offset)) | UInt64(uint32(at: offset + 4)) << 32 }
}

/// Where the central directory lies, from the end-of-central-directory record (and its zip64 form).
struct EndOfDirectory {
    static let signature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64Signature: UInt32 = 0x0606_4b50
    static let recordSize = 22
    static let zip64LocatorSize = 20
    /// The fixed part of the zip64 end record (signature to directory offset).
    static let zip64RecordSize = 56
    static let maxCommentLength = 65_535
    static let searchWindow = 16 << 10

    let entryCount: Int64
    let directoryOffset: Int64
    let directorySize: Int64

    static func locate(in file: ZipFile) throws(NupkgError) -> EndOfDirectory {
        guard file.size >= Int64(recordSize) else {
            throw file.notAZip("the file is \(file.size) bytes, shorter than the \(recordSize)-byte end-of-central-directory record")
        }
        let tailLength = Int(min(file.size, Int64(recordSize + maxCommentLength)))
        let tailStart = file.size - Int64(tailLength)
        let tail = try file.bytes(at: tailStart, count: tailLength)
        // The last signature in the file is the record, as libarchive, Python and NuGet take it; its comment must
        // end exactly at the end of the file. A comment holding a second record, or bytes after the comment,
        // would let readers disagree on which directory is the archive's: refused, not resolved.
        var position = tailLength - recordSize
        while position >= 0, tail.uint32(at: position) != signature { position -= 1 }
        guard position >= 0 else {
            throw file.notAZip("no end-of-central-directory record (signature 0x06054b50) in the last \(tailLength) bytes")
        }
        guard position + recordSize + Int(tail.uint16(at: position + 20)) == tailLength else {
            throw file.notAZip("the last end-of-central-directory signature, at offset \(tailStart + Int64(position)), "
                + "is not a record whose comment ends at the end of the file (a record inside a comment, or bytes after it)")
        }
        // libarchive's seekable reader (the full vet) looks for the record in the last 16 KiB only.
        guard tailLength - position <= searchWindow else {
            throw file.notAZip("the end-of-central-directory record starts \(tailLength - position) bytes before the end of the file: "
                + "expected at most \(searchWindow) (libarchive, which vets packages, looks no further)")
        }
        let recordOffset = tailStart + Int64(position)
        let classic = ClassicFields(tail, at: position)
        if recordOffset >= Int64(zip64LocatorSize) {
            let locator = try file.bytes(at: recordOffset - Int64(zip64LocatorSize), count: zip64LocatorSize)
            if locator.uint32(at: 0) == zip64LocatorSignature {
                return try zip64(file, locator: locator, locatorOffset: recordOffset - Int64(zip64LocatorSize), classic: classic)
            }
        }
        let at = "end-of-central-directory record at offset \(recordOffset)"
        guard classic.disk == 0, classic.directoryDisk == 0, classic.entriesOnDisk == classic.entryCount else {
            throw file.notAZip("\(at): expected a single-disk archive (disk 0, all entries on it), found a multi-disk one")
        }
        guard classic.directorySize != 0xFFFF_FFFF, classic.directoryOffset != 0xFFFF_FFFF else {
            throw file.notAZip("\(at): the directory's size or offset is 0xFFFFFFFF (zip64) but no zip64 locator (signature 0x07064b50) precedes it")
        }
        let end = EndOfDirectory(entryCount: Int64(classic.entryCount), directoryOffset: Int64(classic.directoryOffset),
                                 directorySize: Int64(classic.directorySize))
        try end.check(directoryEnd: recordOffset, endName: at, file: file)
        return end
    }

    /// The fields of the classic record, at `position` in `bytes` (22 bytes available).
    struct ClassicFields {
        let disk, directoryDisk, entriesOnDisk, entryCount: UInt16
        let directorySize, directoryOffset: UInt32

        init(_ bytes: [UInt8], at position: Int) {
            disk = bytes.uint16(at: position + 4)
            directoryDisk = bytes.uint16(at: position + 6)
            entriesOnDisk = bytes.uint16(at: position + 8)
            entryCount = bytes.uint16(at: position + 10)
            directorySize = bytes.uint32(at: position + 12)
            directoryOffset = bytes.uint32(at: position + 16)
        }
    }

    /// The directory as the zip64 end record describes it; the classic record must agree where it is not saturated.
    private static func zip64(_ file: ZipFile, locator: [UInt8], locatorOffset: Int64, classic: ClassicFields) throws(NupkgError) -> EndOfDirectory {
        let at = "zip64 end-of-central-directory locator at offset \(locatorOffset)"
        // The classic record's disk fields are 0 or saturated; its two counts are the same either way.
        guard locator.uint32(at: 4) == 0, locator.uint32(at: 16) <= 1, [0, 0xFFFF].contains(classic.disk),
            [0, 0xFFFF].contains(classic.directoryDisk), classic.entriesOnDisk == classic.entryCount
        else {
            throw file.notAZip("\(at): expected a single-disk archive (zip64 end record on disk 0, at most 1 disk)")
        }
        let recordOffset64 = locator.uint64(at: 8)
        guard locatorOffset >= Int64(zip64RecordSize), recordOffset64 <= UInt64(locatorOffset - Int64(zip64RecordSize)) else {
            throw file.notAZip("\(at): the zip64 end record's offset \(recordOffset64) leaves no room for its \(zip64RecordSize) bytes before the locator")
        }
        let recordOffset = Int64(recordOffset64)
        let record = try file.bytes(at: recordOffset, count: zip64RecordSize)
        let recordAt = "zip64 end-of-central-directory record at offset \(recordOffset)"
        guard record.uint32(at: 0) == zip64Signature else { throw file.notAZip("\(recordAt): expected signature 0x06064b50") }
        let declaredSize = record.uint64(at: 4)
        guard declaredSize >= UInt64(zip64RecordSize - 12), declaredSize <= UInt64(locatorOffset - recordOffset - 12) else {
            throw file.notAZip("\(recordAt): its size \(declaredSize) is below 44 or runs past the locator at offset \(locatorOffset)")
        }
        let entriesOnDisk = record.uint64(at: 24), entryCount = record.uint64(at: 32)
        guard record.uint32(at: 16) == 0, record.uint32(at: 20) == 0, entriesOnDisk == entryCount else {
            throw file.notAZip("\(recordAt): expected a single-disk archive (disk 0, all entries on it), found a multi-disk one")
        }
        let directorySize = record.uint64(at: 40), directoryOffset = record.uint64(at: 48)
        for (name, classicValue, saturated, value) in [
            ("entry count", UInt64(classic.entryCount), classic.entryCount == 0xFFFF, entryCount),
            ("directory size", UInt64(classic.directorySize), classic.directorySize == 0xFFFF_FFFF, directorySize),
            ("directory offset", UInt64(classic.directoryOffset), classic.directoryOffset == 0xFFFF_FFFF, directoryOffset),
        ] where !saturated && classicValue != value {
            throw file.notAZip("\(recordAt): its \(name) \(value) disagrees with the end-of-central-directory record's \(classicValue)")
        }
        guard directorySize <= UInt64(Int64.max), directoryOffset <= UInt64(Int64.max), entryCount <= UInt64(Int64.max) else {
            throw file.notAZip("\(recordAt): a directory size, offset or count above \(Int64.max)")
        }
        let end = EndOfDirectory(entryCount: Int64(entryCount), directoryOffset: Int64(directoryOffset), directorySize: Int64(directorySize))
        try end.check(directoryEnd: recordOffset, endName: recordAt, file: file)
        return end
    }

    /// The directory must end exactly where `endName` (at `directoryEnd`) starts, and hold room for its records.
    private func check(directoryEnd: Int64, endName: String, file: ZipFile) throws(NupkgError) {
        guard directoryOffset <= directoryEnd else {
            throw file.notAZip("\(endName): the central directory offset \(directoryOffset) is past the record itself")
        }
        guard directorySize <= directoryEnd - directoryOffset else {
            throw file.notAZip("\(endName): the central directory of \(directorySize) bytes at offset \(directoryOffset) runs past the record itself")
        }
        guard directoryOffset + directorySize == directoryEnd else {
            throw file.notAZip(
                "\(endName): the central directory (offset \(directoryOffset), \(directorySize) bytes) ends at \(directoryOffset + directorySize), "
                    + "expected it to end where the record starts (\(directoryEnd))")
        }
        guard entryCount <= directorySize / Int64(DirectoryRecords.fixedSize) else {
            throw file.notAZip("\(endName): \(entryCount) records cannot fit in a central directory of \(directorySize) bytes (46 bytes each at least)")
        }
    }
}

/// The records of a central directory read whole into memory.
enum DirectoryRecords {
    static let signature: UInt32 = 0x0201_4b50
    /// The fixed part of a record, before its name, extra field and comment.
    static let fixedSize = 46
    /// A local file header's fixed part: an entry's header must fit before the central directory.
    static let localHeaderSize: Int64 = 30
    static let zip64ExtraID: UInt16 = 0x0001
    /// Version-made-by host 3: the external attributes' high half is a Unix mode.
    static let unixHost: UInt16 = 3

    static func parse(_ directory: [UInt8], end: EndOfDirectory, path: String) throws(NupkgError) -> [ZipDirectoryEntry] {
        var entries: [ZipDirectoryEntry] = []
        // Bounded: the count was checked against the limit and against the directory's size.
        entries.reserveCapacity(Int(end.entryCount))
        var position = 0
        while position < directory.count {
            let number = entries.count + 1
            let recordOffset = end.directoryOffset + Int64(position)
            let at = "central directory record \(number) at offset \(recordOffset)"
            guard Int64(entries.count) < end.entryCount else {
                throw .notAZip(path: path, message: "\(at): expected the directory to end after the \(end.entryCount) records its end record lists")
            }
            let left = directory.count - position
            guard left >= fixedSize else {
                throw .notAZip(path: path, message: "\(at): expected a \(fixedSize)-byte record, only \(left) bytes are left in the directory")
            }
            guard directory.uint32(at: position) == signature else {
                throw .notAZip(path: path, message: "\(at): expected signature 0x02014b50")
            }
            let nameLength = Int(directory.uint16(at: position + 28))
            let extraLength = Int(directory.uint16(at: position + 30))
            let commentLength = Int(directory.uint16(at: position + 32))
            for (what, reach) in [("name", fixedSize + nameLength), ("extra field", fixedSize + nameLength + extraLength),
                                ("comment", fixedSize + nameLength + extraLength + commentLength)] where reach > left {
                throw .notAZip(path: path, message: "\(at): the \(what) runs \(reach - left) bytes past the end of the central directory")
            }
            let nameStart = position + fixedSize
            let extra = directory[(nameStart + nameLength)..<(nameStart + nameLength + extraLength)]
            let entry = try record(directory, at: position, name: Array(directory[nameStart..<(nameStart + nameLength)]), extra: extra,
                                   directoryOffset: end.directoryOffset, describedAs: at, path: path)
            entries.append(entry)
            position += fixedSize + nameLength + extraLength + commentLength
        }
        guard Int64(entries.count) == end.entryCount else {
            throw .notAZip(
                path: path, message: "the end-of-central-directory record lists \(end.entryCount) entries, the central directory holds \(entries.count)")
        }
        return entries
    }

    /// One record's fields, sizes and offset completed from its zip64 extra field.
    private static func record(_ bytes: [UInt8], at position: Int, name: [UInt8], extra: ArraySlice<UInt8>, directoryOffset: Int64,
                               describedAs at: String, path: String) throws(NupkgError) -> ZipDirectoryEntry {
        let versionMadeBy = bytes.uint16(at: position + 4)
        var compressedSize = Int64(bytes.uint32(at: position + 20))
        var uncompressedSize = Int64(bytes.uint32(at: position + 24))
        var localHeaderOffset = Int64(bytes.uint32(at: position + 42))
        let diskStart = bytes.uint16(at: position + 34)
        let saturated: Int64 = 0xFFFF_FFFF
        // The zip64 field holds, in this order, only the values whose classic field is saturated.
        var wanted: [(String, width: Int)] = []
        if uncompressedSize == saturated { wanted.append(("uncompressed size", 8)) }
        if compressedSize == saturated { wanted.append(("compressed size", 8)) }
        if localHeaderOffset == saturated { wanted.append(("local header offset", 8)) }
        if diskStart == 0xFFFF { wanted.append(("disk number", 4)) }
        var diskNumber = UInt32(diskStart)
        if !wanted.isEmpty {
            let field = try zip64Field(in: extra, describedAs: at, path: path)
            let needed = wanted.reduce(0) { $0 + $1.width }
            guard let field, field.count >= needed else {
                let names = wanted.map(\.0).joined(separator: ", ")
                let found = field.map { "has \($0.count) bytes" } ?? "is missing"
                throw .notAZip(path: path, message: "\(at): expected a zip64 extra field (id 0x0001) of \(needed) bytes for the \(names), it \(found)")
            }
            var cursor = field.startIndex
            for (name, width) in wanted {
                let value = width == 8 ? field.uint64(at: cursor) : UInt64(field.uint32(at: cursor))
                cursor += width
                guard value <= UInt64(Int64.max) else { throw .notAZip(path: path, message: "\(at): the zip64 \(name) \(value) is out of range") }
                switch name {
                case "uncompressed size": uncompressedSize = Int64(value)
                case "compressed size": compressedSize = Int64(value)
                case "local header offset": localHeaderOffset = Int64(value)
                default: diskNumber = UInt32(truncatingIfNeeded: value)
                }
            }
        }
        guard diskNumber == 0 else { throw .notAZip(path: path, message: "\(at): expected the entry on disk 0, found disk \(diskNumber)") }
        // Entries come before the directory: the local header's fixed part and the compressed data must fit.
        guard directoryOffset >= localHeaderSize, localHeaderOffset <= directoryOffset - localHeaderSize else {
            throw .notAZip(path: path, message: "\(at): expected the local header (offset \(localHeaderOffset)) before the central directory")
        }
        guard compressedSize <= directoryOffset - localHeaderSize - localHeaderOffset else {
            throw .notAZip(path: path, message: "\(at): the compressed size \(compressedSize) runs past the start of the central directory")
        }
        let external = bytes.uint32(at: position + 38)
        return ZipDirectoryEntry(rawName: name, localHeaderOffset: localHeaderOffset, compressedSize: compressedSize,
                                 uncompressedSize: uncompressedSize, crc32: bytes.uint32(at: position + 16),
                                 flags: bytes.uint16(at: position + 8), method: bytes.uint16(at: position + 10),
                                 unixMode: versionMadeBy >> 8 == unixHost ? external >> 16 : nil, externalAttributes: external)
    }

    /// The data of the zip64 extra field among `extra`'s id/size/data blocks, nil when there is none.
    /// A second one, or one that runs past the extra field, is refused: readers would disagree on it.
    static func zip64Field(in extra: ArraySlice<UInt8>, describedAs at: String, path: String) throws(NupkgError) -> ArraySlice<UInt8>? {
        var found: ArraySlice<UInt8>?
        var cursor = extra.startIndex
        while extra.endIndex - cursor >= 4 {
            let id = extra.uint16(at: cursor)
            let size = Int(extra.uint16(at: cursor + 2))
            let dataStart = cursor + 4
            if id == zip64ExtraID {
                guard size <= extra.endIndex - dataStart else {
                    throw .notAZip(path: path, message: "\(at): the zip64 extra field's \(size) bytes run past the end of the extra field")
                }
                guard found == nil else { throw .notAZip(path: path, message: "\(at): expected one zip64 extra field, found two") }
                found = extra[dataStart..<(dataStart + size)]
            }
            // A block of another kind that runs past the end ends the walk: it is not ours to judge.
            guard size <= extra.endIndex - dataStart else { break }
            cursor = dataStart + size
        }
        return found
    }
}
