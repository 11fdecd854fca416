/// Where each value of a JSON text sits, so configuration errors can name a line: a strict RFC 8259 scan
/// that records the line and kind of every value by its path, and stops at the first syntax error with
/// its line and column. JSONDecoder's own errors say neither ("The data isn't in the correct format").
public struct JSONLocator {
    /// A syntax error: where, and what was expected there.
    public struct SyntaxError: Error, Equatable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    /// What a value is, in the words an error message uses.
    public enum Kind: String {
        case object = "an object", array = "a list", string = "a string", number = "a number"
        case boolean = "true or false", null = "null"
    }

    public struct Value {
        public var line: Int
        public var kind: Kind
    }

    /// Every value by its path (object keys, and array indices as decimal strings); the root is `[]`.
    public private(set) var values: [[String]: Value] = [:]
    /// Object keys in the order they appear, with the path of the object holding them.
    public private(set) var keys: [(object: [String], key: String, line: Int)] = []

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private static let maximumDepth = 256

    public init(_ text: String) throws(SyntaxError) {
        bytes = Array(text.utf8)
        skipSpace()
        guard index < bytes.count else { throw SyntaxError(line: 1, column: 1, message: "the file is empty; write {} for no settings") }
        try value(path: [], depth: 0)
        skipSpace()
        guard index == bytes.count else { throw error("unexpected text after the closing brace (a stray character or a second object?)") }
    }

    /// The line of the value at `path`, or of the nearest enclosing value that exists.
    public func line(of path: [String]) -> Int {
        var path = path
        while !path.isEmpty, values[path] == nil { path.removeLast() }
        return values[path]?.line ?? 1
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(line: line, column: index - lineStart + 1, message: message)
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1; lineStart = index
            default: return
            }
        }
    }

    private mutating func value(path: [String], depth: Int) throws(SyntaxError) {
        guard depth < Self.maximumDepth else { throw error("nested more than \(Self.maximumDepth) levels deep") }
        guard index < bytes.count else { throw error("the file ends where a value was expected") }
        let start = line
        switch bytes[index] {
        case UInt8(ascii: "{"):
            values[path] = Value(line: start, kind: .object)
            try object(path: path, depth: depth)
        case UInt8(ascii: "["):
            values[path] = Value(line: start, kind: .array)
            try array(path: path, depth: depth)
        case UInt8(ascii: "\""):
            values[path] = Value(line: start, kind: .string)
            _ = try string()
        case UInt8(ascii: "t"): values[path] = Value(line: start, kind: .boolean); try literal("true")
        case UInt8(ascii: "f"): values[path] = Value(line: start, kind: .boolean); try literal("false")
        case UInt8(ascii: "n"): values[path] = Value(line: start, kind: .null); try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            values[path] = Value(line: start, kind: .number)
            try number()
        case UInt8(ascii: "'"): throw error("strings need double quotes (\"), not single quotes")
        default: throw error("expected a value (a string in double quotes, a number, true, false, null, { or [)")
        }
    }

    private mutating func object(path: [String], depth: Int) throws(SyntaxError) {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count && bytes[index] == UInt8(ascii: "}")
                    ? "a comma before } (JSON allows no trailing comma)" : "expected a key in double quotes")
            }
            let keyLine = line
            let key = try string()
            keys.append((path, key, keyLine))
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\"") }
            index += 1
            skipSpace()
            try value(path: path + [key], depth: depth + 1)
            skipSpace()
            guard index < bytes.count else { throw error("the file ends inside an object (a } is missing)") }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}' after the value of \"\(key)\"") }
            index += 1
            skipSpace()
        }
    }

    private mutating func array(path: [String], depth: Int) throws(SyntaxError) {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
        var count = 0
        while true {
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { throw error("a comma before ] (JSON allows no trailing comma)") }
            try value(path: path + [String(count)], depth: depth + 1)
            count += 1
            skipSpace()
            guard index < bytes.count else { throw error("the file ends inside a list (a ] is missing)") }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return }
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or ']' in a list") }
            index += 1
            skipSpace()
        }
    }

    /// Reads a string (the opening quote is at `index`) and returns its text (escapes kept as written:
    /// only keys are used, and JSON keys with escapes are not ours).
    private mutating func string() throws(SyntaxError) -> String {
        let start = index + 1
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            case UInt8(ascii: "\\"):
                // A throw, not `break`: a break leaves only the switch, and the loop met the backslash again forever.
                guard index + 1 < bytes.count else { throw error("the file ends inside a string (a \" is missing)") }
                let escaped = bytes[index + 1]
                if escaped == UInt8(ascii: "u") {
                    let digits = bytes[min(index + 2, bytes.count)..<min(index + 6, bytes.count)]
                    guard digits.count == 4, digits.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }) else {
                        throw error("\\u must be followed by four hex digits")
                    }
                    index += 6
                } else if Array("\"\\/bfnrt".utf8).contains(escaped) {
                    index += 2
                } else {
                    throw error("unknown escape \\\(Character(Unicode.Scalar(escaped))) in a string (write \\\\ for a backslash, e.g. in Windows paths)")
                }
            case 0x0A: throw error("the string is not closed on this line (a \" is missing)")
            case 0..<0x20: throw error("a control character (such as a tab) inside a string; write it as an escape")
            default: index += 1
            }
        }
        throw error("the file ends inside a string (a \" is missing)")
    }

    private mutating func literal(_ word: StaticString) throws(SyntaxError) {
        let expected = word.withUTF8Buffer { Array($0) }
        guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw error("expected a value (a string in double quotes, a number, true, false, null, { or [)")
        }
        index += expected.count
    }

    private mutating func number() throws(SyntaxError) {
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingZero = index < bytes.count && bytes[index] == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0 else { throw error("a number needs digits after '-'") }
        guard !(leadingZero && integer > 1) else { throw error("numbers do not start with 0") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
    }
}
