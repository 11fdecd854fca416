import Foundation

extension ZipDirectory {
    /// The central directory of the zip at `path`, read like ``read(path:maxEntries:)``, with each entry's local
    /// header (and data descriptor) checked against its record: the same name bytes, compression method and
    /// flags that change how data is read, the same CRC-32 and sizes; a stored entry's sizes equal; and, with
    /// `contiguous`, the entries laid end to end from the first local header to the directory, with nothing
    /// between them (what a streaming reader, which finds headers by walking, needs to see the same entries).
    ///
    /// Why: NuGet takes an entry's method and sizes from the directory and only finds its data through the
    /// local header, while a streaming reader (the vet that runs during a download) takes everything from the
    /// local headers. Where both agree field by field and no byte lies outside an entry, every reader reads
    /// the same bytes the same way. Throws `.notAZip` naming the entry and the field that differs.
    public static func readConsistent(path: String, maxEntries: Int = 1_000_000, contiguous: Bool = true) throws(NupkgError) -> [ZipDirectoryEntry] {
        let file = try ZipFile(path: path)
        let (entries, end) = try read(file, maxEntries: maxEntries)
        var expectedStart = entries.first?.localHeaderOffset ?? end.directoryOffset
        for (index, entry) in entries.enumerated() {
            let at = "entry \(index + 1) ('\(EntryName.decodeBytes(entry.rawName))') at offset \(entry.localHeaderOffset)"
            guard !contiguous || entry.localHeaderOffset == expectedStart else {
                throw file.notAZip("\(at): expected it to start where the previous entry ends, at offset \(expectedStart)")
            }
            expectedStart = try LocalHeader.end(of: entry, in: file, before: end.directoryOffset, describedAs: at)
        }
        guard !contiguous || expectedStart == end.directoryOffset else {
            throw file.notAZip("the last entry ends at offset \(expectedStart), expected the central directory there (at \(end.directoryOffset))")
        }
        return entries
    }
}

/// A local file header and the data descriptor that may follow its data.
private enum LocalHeader {
    static let signature: UInt32 = 0x0403_4b50
    static let descriptorSignature: UInt32 = 0x0807_4b50
    static let fixedSize = 30
    /// Flags that change how an entry is read: encryption (0, 6), sizes after the data (3), UTF-8 name (11),
    /// masked header values (13).
    static let readingFlags: UInt16 = 1 << 0 | 1 << 3 | 1 << 6 | 1 << 11 | 1 << 13
    static let saturated: UInt32 = 0xFFFF_FFFF

    /// Checks `entry`'s local header against its directory record and returns where the entry ends (after its
    /// data and descriptor); everything must lie before `limit` (the directory).
    static func end(of entry: ZipDirectoryEntry, in file: ZipFile, before limit: Int64, describedAs at: String) throws(NupkgError) -> Int64 {
        let start = entry.localHeaderOffset
        guard start >= 0, Int64(fixedSize) <= limit - start else { throw file.notAZip("\(at): the local header runs into the central directory") }
        let header = try file.bytes(at: start, count: fixedSize)
        guard header.uint32(at: 0) == signature else { throw file.notAZip("\(at): expected a local header (signature 0x04034b50)") }
        let flags = header.uint16(at: 6)
        let nameLength = Int64(header.uint16(at: 26))
        let extraLength = Int64(header.uint16(at: 28))
        guard nameLength + extraLength <= limit - start - Int64(fixedSize) else {
            throw file.notAZip("\(at): the local header's name and extra field run into the central directory")
        }
        let variable = try file.bytes(at: start + Int64(fixedSize), count: Int(nameLength + extraLength))
        func differs(_ field: String, local: String, directory: String) -> NupkgError {
            file.notAZip("\(at): the local header's \(field) (\(local)) differs from the central directory's (\(directory))")
        }
        guard Array(variable.prefix(Int(nameLength))) == entry.rawName else {
            throw differs("name", local: EntryName.decodeBytes(Array(variable.prefix(Int(nameLength)))), directory: EntryName.decodeBytes(entry.rawName))
        }
        guard flags & readingFlags == entry.flags & readingFlags else {
            throw differs("flags", local: String(flags, radix: 16), directory: String(entry.flags, radix: 16))
        }
        guard header.uint16(at: 8) == entry.method else { throw differs("compression method", local: "\(header.uint16(at: 8))", directory: "\(entry.method)") }
        guard entry.method != 0 || entry.compressedSize == entry.uncompressedSize else {
            throw file.notAZip("\(at): a stored entry whose sizes differ (\(entry.compressedSize) and \(entry.uncompressedSize) bytes)")
        }
        let zip64 = try DirectoryRecords.zip64Field(in: variable[Int(nameLength)...], describedAs: at, path: file.path)
        let dataStart = start + Int64(fixedSize) + nameLength + extraLength
        guard entry.compressedSize <= limit - dataStart else { throw file.notAZip("\(at): the data runs into the central directory") }
        let dataEnd = dataStart + entry.compressedSize
        var crc = header.uint32(at: 14)
        var compressed = UInt64(header.uint32(at: 18))
        var uncompressed = UInt64(header.uint32(at: 22))
        var end = dataEnd
        if flags & 1 << 3 != 0 {
            // Sizes after the data: an optional signature, the CRC-32, then both sizes (8 bytes each with zip64).
            let available = Int(min(24, limit - dataEnd))
            let descriptor = try file.bytes(at: dataEnd, count: available)
            let skip = available >= 4 && descriptor.uint32(at: 0) == descriptorSignature ? 4 : 0
            let width = zip64 == nil ? 4 : 8
            guard skip + 4 + 2 * width <= available else { throw file.notAZip("\(at): the data descriptor runs into the central directory") }
            crc = descriptor.uint32(at: skip)
            compressed = width == 8 ? descriptor.uint64(at: skip + 4) : UInt64(descriptor.uint32(at: skip + 4))
            uncompressed = width == 8 ? descriptor.uint64(at: skip + 4 + width) : UInt64(descriptor.uint32(at: skip + 4 + width))
            end = dataEnd + Int64(skip + 4 + 2 * width)
        } else if compressed == UInt64(saturated) || uncompressed == UInt64(saturated) {
            // A local header's zip64 field holds both sizes, uncompressed first.
            guard let zip64, zip64.count >= 16 else { throw file.notAZip("\(at): saturated sizes without a zip64 extra field of 16 bytes") }
            uncompressed = zip64.uint64(at: zip64.startIndex)
            compressed = zip64.uint64(at: zip64.startIndex + 8)
        }
        guard crc == entry.crc32 else {
            throw differs("CRC-32", local: String(crc, radix: 16), directory: String(entry.crc32, radix: 16))
        }
        guard compressed == UInt64(entry.compressedSize), uncompressed == UInt64(entry.uncompressedSize) else {
            throw differs("sizes", local: "\(compressed)/\(uncompressed)", directory: "\(entry.compressedSize)/\(entry.uncompressedSize)")
        }
        return end
    }
}
