/// A small JSON writer for the hot path of `inspect --format json`: on folders of small packages,
/// Foundation's JSONEncoder cost as much as reading the packages. Keys are written in the order given
/// (callers pass them sorted, matching the key-sorted output of the other commands).
struct JSONText {
    /// UTF-8 bytes: appending bytes is several times faster than appending to a String piece by piece.
    private var bytes: [UInt8] = []

    private mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    enum Value {
        case string(String?)
        case number(Int64?)
        case bool(Bool)
        case strings([String])
        case raw(String)
    }

    static func object(_ fields: [(String, Value)]) -> String {
        var writer = JSONText()
        writer.bytes.reserveCapacity(512)
        writer.raw("{")
        var first = true
        for (key, value) in fields {
            if case .string(nil) = value { continue }
            if case .number(nil) = value { continue }
            if !first { writer.raw(",") }
            first = false
            writer.append(string: key)
            writer.raw(":")
            switch value {
            case let .string(text): writer.append(string: text!)
            case let .number(number): writer.raw(String(number!))
            case let .bool(flag): writer.raw(flag ? "true" : "false")
            case let .strings(items):
                writer.raw("[")
                for (index, item) in items.enumerated() {
                    if index > 0 { writer.raw(",") }
                    writer.append(string: item)
                }
                writer.raw("]")
            case let .raw(json): writer.raw(json)
            }
        }
        writer.raw("}")
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// Appends a JSON string literal (RFC 8259 escaping; `/` is not escaped, as in the other commands' output).
    mutating func append(string: String) {
        bytes.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
            default:
                // Multi-byte UTF-8 sequences pass through unchanged: JSON text is UTF-8.
                bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
