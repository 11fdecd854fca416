/// A small streaming JSON writer for the hot path of `inspect --format json`: on folders of small packages,
/// Foundation's JSONEncoder (and later, building nested strings) cost as much as reading the packages.
/// Keys are written in the order given (callers write them sorted, matching the key-sorted output of the
/// other commands); `nil` values are left out. The layout is the house style of ``JSONOutput`` (two-space
/// indent, `"key": value`, empty containers on one line), written directly rather than laid out afterwards.
struct JSONText {
    /// UTF-8 bytes: appending bytes is several times faster than appending to a String piece by piece.
    private(set) var bytes: [UInt8] = []
    /// One bit per open container: set once it holds a member, so the next one is preceded by a comma.
    private var hasMembers: UInt64 = 0
    private var depth: Int
    /// The nesting at which this piece sits in the whole document (its own members are indented one more).
    private let baseDepth: Int

    init(capacity: Int = 1024, depth: Int = 0) {
        bytes.reserveCapacity(capacity)
        self.depth = depth
        baseDepth = depth
    }

    // MARK: Containers

    mutating func beginObject(_ key: StaticString? = nil) { open(key, 0x7B) }
    mutating func endObject() { close(0x7D) }
    mutating func beginArray(_ key: StaticString? = nil) { open(key, 0x5B) }
    mutating func endArray() { close(0x5D) }

    private mutating func open(_ key: StaticString?, _ bracket: UInt8) {
        if let key { self.key(key) } else { separator() }
        bytes.append(bracket)
        depth += 1
        hasMembers &= ~(1 << UInt64(depth))
    }

    private mutating func close(_ bracket: UInt8) {
        let hadMembers = hasMembers & (1 << UInt64(depth)) != 0
        depth -= 1
        if hadMembers { newline() }
        bytes.append(bracket)
    }

    private mutating func newline() {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }

    // MARK: Members

    mutating func field(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        append(string: value)
    }

    mutating func field(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        append(integer: value)
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        self.key(key)
        raw(value ? "true" : "false")
    }

    mutating func field(_ key: StaticString, _ values: [String]) {
        beginArray(key)
        for value in values { element(value) }
        endArray()
    }

    /// A string element of the current array.
    mutating func element(_ value: String) {
        separator()
        append(string: value)
    }

    private mutating func key(_ key: StaticString) {
        separator()
        bytes.append(0x22)
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
        bytes.append(0x20)
    }

    private mutating func separator() {
        guard depth > baseDepth else { return }
        let bit: UInt64 = 1 << UInt64(depth)
        if hasMembers & bit != 0 { bytes.append(0x2C) } else { hasMembers |= bit }
        newline()
    }

    private mutating func raw(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    private mutating func append(integer: Int64) {
        // Digits by hand: `String(_:)` on an integer went through a dynamic cast in profiles.
        if integer < 0 { bytes.append(0x2D) }
        var magnitude = integer.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Appends a JSON string literal, escaped as ``JSONOutput/quoted(_:)`` does (`/` and non-ASCII kept).
    private mutating func append(string: String) {
        bytes.append(0x22)
        // Most values need no escaping: copy them in one piece.
        let copied: Bool? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(0x22)
            return
        }
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0..<0x20:
                let digits: StaticString = "0123456789abcdef"
                let hex = digits.utf8Start
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default:
                // Multi-byte UTF-8 sequences pass through unchanged: JSON text is UTF-8.
                bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}
