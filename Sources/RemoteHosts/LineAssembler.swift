/// Cuts a byte stream into lines as it arrives: `\n`, `\r\n` and a lone `\r` (a progress line redrawn in place)
/// each end a line; a line longer than `maximumLength` bytes is cut there so that a child that never writes a
/// newline cannot make the tool hold its whole output as one line. Bytes are decoded as UTF-8, invalid
/// sequences replaced (a Windows console's code page may not be UTF-8).
public struct LineAssembler: Sendable {
    public let maximumLength: Int
    private var pending: [UInt8] = []
    /// A `\r` ended the last line: a `\n` right after it belongs to the same line ending.
    private var afterCarriageReturn = false

    public init(maximumLength: Int = 64 * 1024) {
        precondition(maximumLength > 0)
        self.maximumLength = maximumLength
    }

    /// The lines completed by `bytes`.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A:
                lines.append(take())
            case 0x0D:
                lines.append(take())
                afterCarriageReturn = true
            default:
                pending.append(byte)
                if pending.count >= maximumLength { lines.append(take()) }
            }
        }
        return lines
    }

    /// The unterminated last line, if any.
    public mutating func finish() -> String? {
        afterCarriageReturn = false
        return pending.isEmpty ? nil : take()
    }

    private mutating func take() -> String {
        defer { pending.removeAll(keepingCapacity: true) }
        return String(decoding: pending, as: UTF8.self)
    }
}
