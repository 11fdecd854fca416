import Foundation

/// Reads text inputs (configuration, inventories, plans, package lists) the same way everywhere: UTF-8,
/// a byte-order mark dropped, Windows line ends (CRLF) turned into LF. Files edited in Notepad on the CCM
/// server itself carry both, and each reader used to trip on one or the other.
public enum TextFile {
    /// The text of the file at `path`; `-` reads standard input. Line numbers are those of the file (a CRLF
    /// becomes one LF, never two).
    public static func read(atPath path: String) throws(FileIOError) -> String {
        let bytes: [UInt8]
        if path == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            let descriptor = try FileIO.openForReading(path)
            defer { close(descriptor) }
            var collected: [UInt8] = []
            let reader = ChunkedReader(descriptor: descriptor, path: path, chunkSize: 64 << 10)
            while let chunk = try reader.next() { collected.append(contentsOf: chunk) }
            bytes = collected
        }
        return try decode(bytes, path: path)
    }

    /// `bytes` as text, normalised as ``read(atPath:)`` does; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(FileIOError) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {
            // Windows PowerShell 5 and older editors save UTF-16 with a byte-order mark: read it as such.
            return try decode(utf16: Array(body.dropFirst(2)), bigEndian: body.first == 0xFE, path: path)
        }
        var normalised: [UInt8] = []
        normalised.reserveCapacity(body.count)
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            let next = body.index(after: index)
            if byte == 0x0D, next < body.endIndex, body[next] == 0x0A {
                index = next
                continue
            }
            normalised.append(byte)
            index = next
        }
        guard let text = String(validating: normalised, as: UTF8.self) else {
            let line = invalidLine(normalised)
            throw FileIOError(path: path, reason: "line \(line) is not valid UTF-8; save the file as UTF-8")
        }
        return text
    }

    private static func decode(utf16 bytes: [UInt8], bigEndian: Bool, path: String) throws(FileIOError) -> String {
        guard bytes.count % 2 == 0 else { throw FileIOError(path: path, reason: "the file is UTF-16 with an odd number of bytes (cut short?)") }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = 0
        while index < bytes.count {
            let (high, low) = bigEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
            units.append(UInt16(high) << 8 | UInt16(low))
            index += 2
        }
        guard let text = String(validating: units, as: UTF16.self) else {
            throw FileIOError(path: path, reason: "the file is not valid UTF-16; save it as UTF-8")
        }
        return try decode(Array(text.utf8), path: path)
    }

    /// The line of the first byte sequence that is not UTF-8 (1-based).
    private static func invalidLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            if String(validating: bytes[start..<index], as: UTF8.self) == nil { return line }
            line += 1
            start = index + 1
        }
        return line
    }
}
