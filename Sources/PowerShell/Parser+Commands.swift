extension Parser {
    /// Whether the byte ends a command-mode word or argument.
    func endsWord(_ byte: UInt8) -> Bool {
        Self.isSpace(byte) || isNewline(byte) || byte == 0 && atEnd
            || [
                UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"),
                UInt8(ascii: "}"), UInt8(ascii: ",")
            ].contains(byte)
    }

    /// Whether the cursor is at the end of a command's elements.
    func endsCommand() -> Bool {
        if atEnd { return true }
        let byte = peek()
        return isNewline(byte) || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: ")")
            || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "&")
    }

    /// A command: its name (or `&`/`.` and an expression) and its parameters, arguments and splats.
    mutating func parseCommand(invocation: Command.Invocation) -> Command {
        let start = position
        let name: Expression
        if invocation == .direct {
            name = parseWord()
        } else {
            position += 1
            skipSpace()
            name = parseCommandArgument() ?? Expression(span: span(from: position), kind: .bareword(""))
        }
        var elements: [CommandElement] = []
        while true {
            skipSpace()
            if endsCommand() { break }
            let elementStart = position
            let byte = peek()
            if byte == UInt8(ascii: "-"), Self.isNameByte(peek(1)) || peek(1) == UInt8(ascii: "-") || peek(1) == UInt8(ascii: "?"),
                !(peek(1) >= UInt8(ascii: "0") && peek(1) <= UInt8(ascii: "9"))
            {
                position += 1
                let nameStart = position
                while !atEnd, !endsWord(peek()), quote(at: position) == nil, peek() != UInt8(ascii: ":") || peek(1) == UInt8(ascii: "\\") {
                    position += 1
                }
                let parameter = file.string(nameStart, position)
                if quote(at: position) != nil || parameter.contains("=") {
                    // `--params="'/a;b'"`, `--version=1.2`: one word for a native command, not a parameter.
                    position = elementStart
                    let word = parseWord()
                    elements.append(CommandElement(span: word.span, kind: .argument(word)))
                    continue
                }
                var argument: Expression?
                if peek() == UInt8(ascii: ":") {
                    position += 1
                    skipSpace()
                    argument = parseCommandArgument()
                }
                elements.append(CommandElement(span: span(from: elementStart), kind: .parameter(name: parameter, argument: argument)))
            } else if byte == UInt8(ascii: "@"), Self.isNameByte(peek(1)) {
                position += 1
                let nameStart = position
                while Self.isNameByte(peek()) { position += 1 }
                elements.append(CommandElement(span: span(from: elementStart), kind: .splat(variable: file.string(nameStart, position))))
            } else if let argument = parseCommandArgument() {
                elements.append(CommandElement(span: argument.span, kind: .argument(argument)))
            }
            if position == elementStart {
                error("unexpected '\(peekCharacter)' in a command", at: position)
                position += 1
            }
        }
        return Command(span: span(from: start), invocation: invocation, name: name, elements: elements)
    }

    /// One argument in command mode: an expression when it starts like one (`$x.Y`, `'…'`, `(…)`, `@{…}`,
    /// numbers), else a bare word (`exe`, `C:\x`, `$toolsPath\x.exe`); `a, b` makes an array.
    mutating func parseCommandArgument() -> Expression? {
        let start = position
        guard let first = parseSingleArgument() else { return nil }
        var elements = [first]
        while true {
            let save = position
            skipSpace()
            guard peek() == UInt8(ascii: ",") else {
                position = save
                break
            }
            position += 1
            skipSpace(newlines: true)
            guard let next = parseSingleArgument() else { break }
            elements.append(next)
        }
        return elements.count == 1 ? first : Expression(span: span(from: start), kind: .array(elements))
    }

    mutating func parseSingleArgument() -> Expression? {
        let start = position
        let byte = peek()
        if endsCommand() { return nil }
        let expressionLike =
            byte == UInt8(ascii: "$") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "{") || quote(at: position) != nil
            || (byte == UInt8(ascii: "@") && (peek(1) == UInt8(ascii: "(") || peek(1) == UInt8(ascii: "{") || quote(at: position + 1) != nil))
        if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            // `3010`, `0x10` are numbers; `7zip`, `1.2.3`, `1/2` are words.
            var end = position
            while end < bytes.count, !endsWord(bytes[end]) { end += 1 }
            let text = file.string(position, end)
            if Self.isNumeric(text) {
                position = end
                return Expression(span: span(from: start), kind: .number(text))
            }
        }
        if expressionLike {
            guard enter() else { return nil }
            defer { leave() }
            if let expression = parsePostfix(), atEnd || endsWord(peek()) { return expression }
            // Text continues after the value (`$toolsPath\x.exe`, `7zip`): the whole is one word.
            position = start
        }
        if byte == UInt8(ascii: ",") { return nil }
        return parseWord()
    }

    /// Whether a command-mode word is a number literal (`3010`, `1.5`, `0x1F`, `10mb`).
    static func isNumeric(_ text: String) -> Bool {
        var body = Substring(text.lowercased())
        if body.hasPrefix("0x") { return body.count > 2 && body.dropFirst(2).allSatisfy(\.isHexDigit) }
        for suffix in ["kb", "mb", "gb", "tb", "pb", "l", "d"] where body.hasSuffix(suffix) {
            body = body.dropLast(suffix.count)
            break
        }
        let pieces = body.split(separator: ".", omittingEmptySubsequences: false)
        return !body.isEmpty && pieces.count <= 2 && pieces.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) } && !pieces[0].isEmpty
    }

    /// A bare word in command mode, with `$variables`, `$(…)`, quoted pieces and backtick escapes expanded.
    mutating func parseWord() -> Expression {
        let start = position
        var builder = StringBuilder()
        var expands = false
        while !atEnd {
            let byte = peek()
            if endsWord(byte) {
                // `(` inside a word that already started is part of it only in odd cases; stop.
                break
            }
            if let opening = quote(at: position) {
                // A quoted piece inside a word (`--params="'/x'"`): its content joins the word.
                let pieceStart = position
                guard let piece = parseStringLiteral(), case .string(let literal) = piece.kind else { break }
                _ = opening
                if literal.parts.contains(where: { if case .text = $0 { false } else { true } }) { expands = true }
                for part in literal.parts {
                    switch part {
                    case .text(let text): builder.appendText(text)
                    default: builder.appendPart(part)
                    }
                }
                if position == pieceStart { position += 1 }
                continue
            }
            if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "`") {
                let before = position
                guard appendExpandable(&builder) else { break }
                if byte == UInt8(ascii: "$"), position - before > 1 { expands = true }
                continue
            }
            builder.append(bytes[position..<position + 1])
            position += 1
        }
        let parts = builder.finish()
        if expands {
            return Expression(span: span(from: start), kind: .expandableWord(StringLiteral(parts: parts, isVerbatim: false, isHereString: false)))
        }
        let text = parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
        return Expression(span: span(from: start), kind: .bareword(text))
    }
}
