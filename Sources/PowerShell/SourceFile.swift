/// A script's bytes as the parser reads them: UTF-8 text with the BOM skipped, plus the way back to the
/// raw file's byte offsets and to line and column numbers.
///
/// Scripts are UTF-8 (with or without BOM) almost always; Windows PowerShell also writes UTF-16 with a BOM.
/// UTF-16 files are transcoded to UTF-8 and keep a table from each UTF-8 byte to its raw offset, so every
/// ``SourceSpan`` still indexes the file as stored. Bytes that are not valid UTF-8 are read as they are
/// (the parser only looks at ASCII for syntax) and never crash anything.
public struct SourceFile: Sendable {
    /// The file's path inside the package (`tools/chocolateyInstall.ps1`), used in every span.
    public let path: String
    /// The text the parser reads (UTF-8, no BOM).
    public let text: [UInt8]
    /// Raw offset of `text[0]`: 3 after a UTF-8 BOM, else 0 (UTF-16 uses `rawOffsets`).
    let baseOffset: Int
    /// For transcoded UTF-16 only: the raw offset of each byte of `text`, and one past the end.
    let rawOffsets: [Int32]?
    /// Offsets in `text` where each line starts (line 1 at index 0).
    let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            text = Array(bytes[3...])
            baseOffset = 3
            rawOffsets = nil
        } else if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            let (utf8, offsets) = Self.transcodeUTF16(bytes, littleEndian: bytes[0] == 0xFF)
            text = utf8
            baseOffset = 0
            rawOffsets = offsets
        } else {
            text = bytes
            baseOffset = 0
            rawOffsets = nil
        }
        var starts = [0]
        for (index, byte) in text.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        // A lone CR (classic Mac) also ends a line for messages; CRLF counts once through its LF.
        if !text.contains(UInt8(ascii: "\n")) {
            for (index, byte) in text.enumerated() where byte == UInt8(ascii: "\r") { starts.append(index + 1) }
        }
        lineStarts = starts
    }

    public init(path: String, text: String) { self.init(path: path, bytes: Array(text.utf8)) }

    /// The raw file offset of `offset` in ``text``.
    public func rawOffset(_ offset: Int) -> Int {
        if let rawOffsets { return Int(rawOffsets[min(max(offset, 0), rawOffsets.count - 1)]) }
        return baseOffset + offset
    }

    /// The 1-based line of `offset` in ``text``.
    public func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    /// The span of `text[start..<end]`, in raw file offsets.
    public func span(_ start: Int, _ end: Int) -> SourceSpan {
        let line = line(of: start)
        return SourceSpan(file: path, line: line, column: start - lineStarts[line - 1] + 1, start: rawOffset(start), end: rawOffset(end))
    }

    /// The text of `text[start..<end]` (invalid UTF-8 repaired).
    public func string(_ start: Int, _ end: Int) -> String {
        let low = min(max(start, 0), text.count), high = min(max(end, low), text.count)
        return String(decoding: text[low..<high], as: UTF8.self)
    }

    private static func transcodeUTF16(_ bytes: [UInt8], littleEndian: Bool) -> ([UInt8], [Int32]) {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 2
        while index + 1 < bytes.count {
            let pair = littleEndian ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8 : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            units.append(pair)
            index += 2
        }
        var utf8: [UInt8] = []
        var offsets: [Int32] = []
        utf8.reserveCapacity(units.count)
        var position = 0
        while position < units.count {
            let unit = units[position]
            var scalar = Unicode.Scalar(unit)
            var width = 1
            if (0xD800..<0xDC00).contains(unit), position + 1 < units.count, (0xDC00..<0xE000).contains(units[position + 1]) {
                let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(units[position + 1]) - 0xDC00)
                scalar = Unicode.Scalar(value)
                width = 2
            }
            let character = scalar ?? "\u{FFFD}"
            let raw = Int32(2 + position * 2)
            for byte in String(character).utf8 {
                utf8.append(byte)
                offsets.append(raw)
            }
            position += width
        }
        offsets.append(Int32(2 + units.count * 2))
        return (utf8, offsets)
    }
}
