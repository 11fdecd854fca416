extension Parser {
    /// The value of a backtick escape in an expandable string or a bare word.
    static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "0"): "\0"
        case UInt8(ascii: "a"): "\u{07}"
        case UInt8(ascii: "b"): "\u{08}"
        case UInt8(ascii: "e"): "\u{1B}"
        case UInt8(ascii: "f"): "\u{0C}"
        case UInt8(ascii: "n"): "\n"
        case UInt8(ascii: "r"): "\r"
        case UInt8(ascii: "t"): "\t"
        case UInt8(ascii: "v"): "\u{0B}"
        default: String(decoding: [byte], as: UTF8.self)
        }
    }

    /// A quoted string or here-string at the cursor.
    mutating func parseStringLiteral() -> Expression? {
        let start = position
        if peek() == UInt8(ascii: "@"), let opening = quote(at: position + 1) {
            return parseHereString(start: start, double: opening.double, length: opening.length)
        }
        guard let opening = quote(at: position) else { return nil }
        position += opening.length
        var builder = StringBuilder()
        while true {
            guard !atEnd else {
                error("string is not closed", at: start)
                break
            }
            if let closing = quote(at: position), closing.double == opening.double {
                position += closing.length
                // A doubled quote is one quote character.
                if let again = quote(at: position), again.double == opening.double {
                    builder.append(bytes[position..<position + again.length])
                    position += again.length
                    continue
                }
                break
            }
            if opening.double {
                guard appendExpandable(&builder) else { break }
            } else {
                builder.append(bytes[position..<position + 1])
                position += 1
            }
        }
        noteMultiline(start)
        let literal = StringLiteral(parts: builder.finish(), isVerbatim: !opening.double, isHereString: false)
        return Expression(span: span(from: start), kind: .string(literal))
    }

    /// `@'…'@` / `@"…"@`: the text between the line after the opening and the line starting with the closing.
    mutating func parseHereString(start: Int, double: Bool, length: Int) -> Expression? {
        position += 1 + length
        while Self.isSpace(peek()) { position += 1 }
        if peek() == 0x0D { position += 1 }
        if peek() == 0x0A { position += 1 }
        var builder = StringBuilder()
        var closed = false
        while !atEnd {
            // The closing sequence is a newline followed by the quote and '@'.
            if isNewline(peek()) {
                var after = position + (peek() == 0x0D && peek(1) == 0x0A ? 2 : 1)
                if let closing = quote(at: after), closing.double == double, after + closing.length < bytes.count || true {
                    after += closing.length
                    if after < bytes.count, bytes[after] == UInt8(ascii: "@") {
                        position = after + 1
                        closed = true
                        break
                    }
                }
            }
            if double {
                if quote(at: position)?.double == true {
                    let length = quote(at: position)!.length
                    builder.append(bytes[position..<position + length])
                    position += length
                    continue
                }
                guard appendExpandable(&builder) else { break }
            } else {
                builder.append(bytes[position..<position + 1])
                position += 1
            }
        }
        if !closed { error("here-string is not closed", at: start) }
        noteMultiline(start)
        let literal = StringLiteral(parts: builder.finish(), isVerbatim: !double, isHereString: true)
        return Expression(span: span(from: start), kind: .string(literal))
    }

    /// A string from `start` to the cursor that spans lines: its newlines do not end a logical line.
    mutating func noteMultiline(_ start: Int) {
        if bytes[start..<position].contains(where: { $0 == 0x0A || $0 == 0x0D }) { record(start..<position, in: &joinedNewlines) }
    }

    /// One piece of expandable text at the cursor: a backtick escape, `$(…)`, a variable or a plain byte.
    /// False when parsing must stop (nesting too deep).
    mutating func appendExpandable(_ builder: inout StringBuilder) -> Bool {
        let byte = peek()
        if byte == UInt8(ascii: "`"), position + 1 < bytes.count {
            let next = bytes[position + 1]
            if isNewline(next) {
                builder.append(bytes[position + 1..<position + 2])
            } else if next == UInt8(ascii: "u"), position + 2 < bytes.count, bytes[position + 2] == UInt8(ascii: "{") {
                // `u{XXXX}`
                var end = position + 3
                while end < bytes.count, bytes[end] != UInt8(ascii: "}"), end - position < 12 { end += 1 }
                let hex = file.string(position + 3, end)
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { builder.appendText(String(Character(scalar))) }
                position = min(end + 1, bytes.count)
                return true
            } else {
                builder.appendText(Self.escaped(next))
            }
            position += 2
            return true
        }
        if byte == UInt8(ascii: "$") {
            let start = position
            if peek(1) == UInt8(ascii: "(") {
                position += 2
                guard enter() else { return false }
                let body = parseStatementList(closing: UInt8(ascii: ")"))
                leave()
                _ = expect(UInt8(ascii: ")"), "')' closing '$(' in a string")
                builder.appendPart(.subexpression(body, span(from: start)))
                return true
            }
            if let variable = parseVariable() {
                builder.appendPart(.variable(variable, span(from: start)))
                return true
            }
        }
        builder.append(bytes[position..<position + 1])
        position += 1
        return true
    }
}

/// Collects a string's parts, merging adjacent text bytes.
struct StringBuilder {
    private var parts: [StringLiteral.Part] = []
    private var pending: [UInt8] = []

    mutating func append(_ slice: ArraySlice<UInt8>) { pending.append(contentsOf: slice) }
    mutating func appendText(_ text: String) { pending.append(contentsOf: text.utf8) }

    mutating func appendPart(_ part: StringLiteral.Part) {
        flush()
        parts.append(part)
    }

    private mutating func flush() {
        if !pending.isEmpty { parts.append(.text(String(decoding: pending, as: UTF8.self))) }
        pending = []
    }

    mutating func finish() -> [StringLiteral.Part] {
        flush()
        return parts
    }
}
