import Foundation

/// Byte-level checks on entry names. Names are checked for every entry of every package in a folder scan;
/// the generic `utf8.contains` and `lowercased()` versions of these were a measurable part of `inspect`.
extension String {
    /// True when the UTF-8 form contains `byte` (memchr over contiguous storage).
    func containsByte(_ byte: UInt8) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return memchr(base, Int32(byte), buffer.count) != nil
        }) {
            return found
        }
        return utf8.contains(byte)
    }

    /// ASCII case-insensitive prefix test (`prefix` must be lower-case ASCII).
    func hasASCIIPrefix(ignoringCase prefix: StaticString) -> Bool {
        ASCIIMatching.matches(utf8, prefix, atEnd: false)
    }

    /// ASCII case-insensitive suffix test (`suffix` must be lower-case ASCII).
    func hasASCIISuffix(ignoringCase suffix: StaticString) -> Bool {
        ASCIIMatching.matches(utf8, suffix, atEnd: true)
    }

    /// The string with case folded as Windows compares names: ASCII by bytes (nearly every package name),
    /// anything else through Unicode lower-casing.
    var asciiFastCaseFolded: String {
        var hasUpper = false
        for byte in utf8 {
            if byte >= 0x80 { return lowercased() }
            if byte >= 0x41 && byte <= 0x5A { hasUpper = true }
        }
        guard hasUpper else { return self }
        return String(decoding: utf8.map { ASCIIMatching.folded($0) }, as: UTF8.self)
    }

    /// ASCII case-insensitive equality (`other` must be lower-case ASCII).
    func equalsASCII(ignoringCase other: StaticString) -> Bool {
        utf8.count == other.utf8CodeUnitCount && ASCIIMatching.matches(utf8, other, atEnd: false)
    }
}

/// The byte comparison behind the `String` checks, also used on names still in bytes (folder walks).
enum ASCIIMatching {
    /// `byte` with ASCII upper case turned to lower case.
    static func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Whether `bytes` start (or end, with `atEnd`) with `pattern`, folding ASCII upper case to lower case
    /// (`pattern` must be lower-case ASCII).
    static func matches<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes, _ pattern: StaticString, atEnd: Bool) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let start = atEnd ? bytes.index(bytes.endIndex, offsetBy: -count) : bytes.startIndex
        return pattern.withUTF8Buffer { expected in
            var index = start
            for byte in expected {
                let actual = bytes[index]
                if folded(actual) != byte { return false }
                index = bytes.index(after: index)
            }
            return true
        }
    }
}
