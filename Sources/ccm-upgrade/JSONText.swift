/// A small JSON writer for the hot path of `inspect --format json`: on folders of small packages,
/// Foundation's JSONEncoder cost as much as reading the packages. Keys are written in the order given
/// (callers pass them sorted, matching the key-sorted output of the other commands).
struct JSONText {
    private(set) var text = ""

    enum Value {
        case string(String?)
        case number(Int64?)
        case bool(Bool)
        case strings([String])
        case raw(String)
    }

    static func object(_ fields: [(String, Value)]) -> String {
        var writer = JSONText()
        writer.text.append("{")
        var first = true
        for (key, value) in fields {
            if case .string(nil) = value { continue }
            if case .number(nil) = value { continue }
            if !first { writer.text.append(",") }
            first = false
            writer.append(string: key)
            writer.text.append(":")
            switch value {
            case let .string(text): writer.append(string: text!)
            case let .number(number): writer.text.append(String(number!))
            case let .bool(flag): writer.text.append(flag ? "true" : "false")
            case let .strings(items):
                writer.text.append("[")
                for (index, item) in items.enumerated() {
                    if index > 0 { writer.text.append(",") }
                    writer.append(string: item)
                }
                writer.text.append("]")
            case let .raw(json): writer.text.append(json)
            }
        }
        writer.text.append("}")
        return writer.text
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// Appends a JSON string literal (RFC 8259 escaping; `/` is not escaped, as in the other commands' output).
    mutating func append(string: String) {
        text.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text.append("\"")
    }
}
