import Foundation

/// The one JSON style of every `--format json` output, summary and journal the tool writes: keys sorted,
/// two-space indent, `"key": value`, `/` and non-ASCII left as they are, no trailing newline. Machines read
/// it, CI diffs it, people read it in a terminal — so it is stable byte for byte for the same value.
///
/// Values go through `JSONEncoder` (sorted keys, compact) and the compact text is then laid out here:
/// Foundation's own pretty printing writes `"key" : value` on Linux and differs between platforms.
public enum JSONOutput {
    /// `value` as JSON text in the house style.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encodeBytes(value), as: UTF8.self)
    }

    /// `value` as UTF-8 JSON in the house style.
    public static func encodeBytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return layout(Array(try encoder.encode(value)))
    }

    /// A decoder for what ``encode(_:)`` writes (ISO 8601 dates).
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Lays out compact JSON (no whitespace outside strings) in the house style.
    public static func layout(_ compact: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(compact.count + compact.count / 4)
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0
        func newline() {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: 2 * depth))
        }
        while index < compact.count {
            let byte = compact[index]
            index += 1
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: // "
                inString = true
                out.append(byte)
            case 0x7B, 0x5B: // { [
                out.append(byte)
                if index < compact.count, compact[index] == 0x7D || compact[index] == 0x5D {
                    out.append(compact[index]) // {} and [] stay on one line
                    index += 1
                } else {
                    depth += 1
                    newline()
                }
            case 0x7D, 0x5D: // } ]
                depth -= 1
                newline()
                out.append(byte)
            case 0x2C: // ,
                out.append(byte)
                newline()
            case 0x3A: // :
                out.append(contentsOf: [0x3A, 0x20])
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            default:
                out.append(byte)
            }
        }
        return out
    }

    /// A JSON string literal in the house style: `"`, `\` and control characters escaped (`\n`, `\r`, `\t`,
    /// `\b`, `\f`, else `\u00XX`); `/` and non-ASCII kept. For writers that lay out JSON by hand because field
    /// order is part of a format (CCM's deployment import) or because they are on a hot path (`inspect`).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
