/// `switch`, `function` and `param( … )`: the parts of blocks whose insides are read loosely.
extension Parser {
    mutating func parseSwitch(start: Int) -> Statement {
        skipSpace()
        while peek() == UInt8(ascii: "-") {
            position += 1
            while Self.isNameByte(peek()) { position += 1 }
            skipSpace()
        }
        if peek() == UInt8(ascii: "(") { skipBalanced() }
        skipSpace(newlines: true)
        var bodies: [[Statement]] = []
        guard expect(UInt8(ascii: "{"), "'{' after switch") else {
            return Statement(span: span(from: start), kind: .block(keyword: "switch", bodies: []))
        }
        while true {
            skipSpace(newlines: true)
            while peek() == UInt8(ascii: ";") { position += 1; skipSpace(newlines: true) }
            if atEnd || peek() == UInt8(ascii: "}") { break }
            let before = position
            // The case: a value, a word or a script block, then its block.
            if peek() == UInt8(ascii: "{") { skipBalanced() } else { _ = parseCommandArgument() }
            skipSpace(newlines: true)
            if peek() == UInt8(ascii: "{") { bodies.append(parseBlockBody()) }
            if position == before {
                error("unexpected '\(peekCharacter)' in switch", at: position)
                position += 1
            }
        }
        _ = expect(UInt8(ascii: "}"), "'}' closing switch")
        return Statement(span: span(from: start), kind: .block(keyword: "switch", bodies: bodies))
    }

    mutating func parseFunction(start: Int) -> Statement {
        skipSpace()
        let nameStart = position
        while !atEnd, !Self.isSpace(peek()), !isNewline(peek()), peek() != UInt8(ascii: "{"), peek() != UInt8(ascii: "(") { position += 1 }
        let name = file.string(nameStart, position)
        skipSpace(newlines: true)
        var parameters: [String] = []
        if peek() == UInt8(ascii: "(") { parameters = parseParameterNames() }
        skipSpace(newlines: true)
        var body = parseBlockBody()
        for statement in body {
            if case .parameters(let names) = statement.kind { parameters += names }
        }
        if name.isEmpty { body = [] }
        return Statement(span: span(from: start), kind: .function(name: name, parameters: parameters, body: body))
    }

    /// The `$names` declared in a `param( … )` (or `function f( … )`) block; attributes and defaults skipped.
    mutating func parseParameterNames() -> [String] {
        let start = position
        skipBalanced()
        let end = position
        var names: [String] = []
        var index = start + 1
        var nesting = 0
        while index < end - 1 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { nesting += 1 }
            if byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { nesting -= 1 }
            if byte == UInt8(ascii: "#") {
                while index < end, !isNewline(bytes[index]) { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "="), nesting == 0 {
                // Skip the default value up to the next comma at this level.
                var inner = 0
                while index < end - 1 {
                    let next = bytes[index]
                    if next == UInt8(ascii: "(") || next == UInt8(ascii: "[") || next == UInt8(ascii: "{") { inner += 1 }
                    if next == UInt8(ascii: ")") || next == UInt8(ascii: "]") || next == UInt8(ascii: "}") { inner -= 1 }
                    if next == UInt8(ascii: ","), inner == 0 { break }
                    index += 1
                }
                continue
            }
            if byte == UInt8(ascii: "$"), nesting == 0 {
                var nameEnd = index + 1
                while nameEnd < end, Self.isNameByte(bytes[nameEnd]) { nameEnd += 1 }
                if nameEnd > index + 1 { names.append(file.string(index + 1, nameEnd)) }
                index = nameEnd
                continue
            }
            index += 1
        }
        return names
    }
}
