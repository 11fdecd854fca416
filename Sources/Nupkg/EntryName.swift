/// Entry-name rules for packages: decoding, percent-unescaping and safety checks.
public enum EntryName {
    /// Decodes stored name bytes: UTF-8 when valid (with or without the zip UTF-8 flag, as NuGet 2.8.7
    /// writes raw UTF-8 without it), else CP437, the zip default.
    public static func decodeBytes(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return String(bytes.map { Character(Unicode.Scalar(cp437[Int($0)]) ?? "?") })
    }

    /// Percent-decodes a name as NuGet does: only when it contains `%`; invalid escapes are kept as written.
    public static func percentDecoded(_ name: String) -> String {
        guard name.containsByte(UInt8(ascii: "%")) else { return name }
        var bytes: [UInt8] = []
        let utf8 = Array(name.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? name
    }

    /// Percent-encodes each path segment the way NuGet 2.8.7 packs names (spaces, `+`, `%`, `@`, `#` and
    /// other reserved ASCII encoded; non-ASCII kept as raw UTF-8), so every OPC reader accepts the part name.
    public static func percentEncoded(_ path: String) -> String {
        var result: [UInt8] = []
        for byte in path.utf8 {
            let isUnreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E || byte == 0x2F || byte >= 0x80
            if isUnreserved {
                result.append(byte)
            } else {
                let digits = Array("0123456789ABCDEF".utf8)
                result.append(contentsOf: [0x25, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Why `decodedName` may not be extracted, or nil when it is safe. Checked after percent-decoding so
    /// that `%2e%2e%2f` cannot hide a `../`.
    public static func unsafeReason(_ decodedName: String) -> String? {
        if decodedName.isEmpty { return "the name is empty" }
        // One pass over the bytes (this runs for every entry `inspect` lists): the checks in the order their
        // messages are chosen, without arrays or substrings.
        var hasNUL = false, hasBackslash = false, hasColon = false, hasDotDotSegment = false
        var segmentLength = 0, dotsInSegment = 0
        for byte in decodedName.utf8 {
            switch byte {
            case 0: hasNUL = true
            case UInt8(ascii: "\\"): hasBackslash = true
            case UInt8(ascii: ":"): hasColon = true
            default: break
            }
            if byte == UInt8(ascii: "/") {
                if segmentLength == 2 && dotsInSegment == 2 { hasDotDotSegment = true }
                segmentLength = 0
                dotsInSegment = 0
            } else {
                segmentLength += 1
                if byte == UInt8(ascii: ".") { dotsInSegment += 1 }
            }
        }
        if segmentLength == 2 && dotsInSegment == 2 { hasDotDotSegment = true }
        if hasNUL { return "the name contains a NUL byte" }
        if hasBackslash { return "backslash separators are not allowed (Windows path tricks)" }
        if decodedName.utf8.first == UInt8(ascii: "/") { return "absolute paths are not allowed" }
        if hasColon {
            var scalars = decodedName.unicodeScalars.makeIterator()
            if let first = scalars.next(), scalars.next() == ":", first.properties.isAlphabetic { return "drive letters are not allowed" }
            return "':' is not allowed in entry names (drive letters, NTFS streams)"
        }
        if hasDotDotSegment { return "'..' segments would escape the target folder" }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Code page 437, the zip default for names without the UTF-8 flag.
    private static let cp437: [UInt32] = Array(0..<128) + [
        0xC7, 0xFC, 0xE9, 0xE2, 0xE4, 0xE0, 0xE5, 0xE7, 0xEA, 0xEB, 0xE8, 0xEF, 0xEE, 0xEC, 0xC4, 0xC5,
        0xC9, 0xE6, 0xC6, 0xF4, 0xF6, 0xF2, 0xFB, 0xF9, 0xFF, 0xD6, 0xDC, 0xA2, 0xA3, 0xA5, 0x20A7, 0x192,
        0xE1, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xAA, 0xBA, 0xBF, 0x2310, 0xAC, 0xBD, 0xBC, 0xA1, 0xAB, 0xBB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x3B1, 0xDF, 0x393, 0x3C0, 0x3A3, 0x3C3, 0xB5, 0x3C4, 0x3A6, 0x398, 0x3A9, 0x3B4, 0x221E, 0x3C6, 0x3B5, 0x2229,
        0x2261, 0xB1, 0x2265, 0x2264, 0x2320, 0x2321, 0xF7, 0x2248, 0xB0, 0x2219, 0xB7, 0x221A, 0x207F, 0xB2, 0x25A0, 0xA0,
    ]
}
