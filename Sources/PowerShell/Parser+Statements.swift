extension Parser {
    /// Statements up to `closing` (`}` or `)`, not consumed) or the end of the file.
    mutating func parseStatementList(closing: UInt8?) -> [Statement] {
        guard enter() else { return [] }
        defer { leave() }
        var statements: [Statement] = []
        while true {
            skipSpace(newlines: true)
            while peek() == UInt8(ascii: ";") {
                position += 1
                skipSpace(newlines: true)
            }
            if atEnd { return statements }
            let byte = peek()
            if let closing, byte == closing { return statements }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: ")") { return statements }
            let before = position
            if let statement = parseStatement() { statements.append(statement) }
            if position == before {
                error("unexpected '\(peekCharacter)'", at: position)
                skipLine()
            }
        }
    }

    /// Skips to the next line (error recovery).
    mutating func skipLine() {
        position += 1
        while !atEnd, !isNewline(peek()) { position += 1 }
    }

    mutating func parseStatement() -> Statement? {
        guard enter() else { return nil }
        defer { leave() }
        let start = position
        if let keyword = word(at: position) {
            let after = position + keyword.utf8.count
            let next = after < bytes.count ? bytes[after] : 0
            let bounded =
                !(Self.isNameByte(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: ":") || next == UInt8(ascii: "\\")
                || next == UInt8(ascii: "."))
            if bounded, let statement = parseKeywordStatement(keyword, start: start, after: after) { return statement }
        }
        guard let pipeline = parsePipeline() else { return nil }
        return pipeline
    }

    /// A pipeline, or an assignment when its first element is followed by `=`, `+=`, …
    mutating func parsePipeline() -> Statement? {
        let start = position
        guard let first = parsePipelineElement() else { return nil }
        skipSpace()
        if case .expression(let target) = first, let assignment = assignmentOperator() {
            position += assignment.utf8.count
            skipSpace(newlines: true)
            let valueStart = position
            let value =
                parseStatement()
                ?? Statement(span: span(from: valueStart), kind: .pipeline(Pipeline(span: span(from: valueStart), elements: [], chain: nil)))
            return Statement(span: span(from: start), kind: .assignment(target: target, operator: assignment, value: value))
        }
        var elements = [first]
        while peek() == UInt8(ascii: "|"), peek(1) != UInt8(ascii: "|") {
            position += 1
            skipSpace(newlines: true)
            guard let next = parsePipelineElement() else {
                error("expected a command after '|'", at: position)
                break
            }
            elements.append(next)
            skipSpace()
        }
        let end = position
        var chain: String?
        if peek() == UInt8(ascii: ";") {
            chain = ";"
        } else if (peek() == UInt8(ascii: "&") && peek(1) == UInt8(ascii: "&")) || (peek() == UInt8(ascii: "|") && peek(1) == UInt8(ascii: "|")) {
            chain = file.string(position, position + 2)
            position += 2
        }
        let pipeline = Pipeline(span: file.span(start, end), elements: elements, chain: chain)
        return Statement(span: file.span(start, end), kind: .pipeline(pipeline))
    }

    func assignmentOperator() -> String? {
        let byte = peek()
        if byte == UInt8(ascii: "="), peek(1) != UInt8(ascii: "=") { return "=" }
        if [UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%")].contains(byte),
            peek(1) == UInt8(ascii: "=")
        {
            return file.string(position, position + 2)
        }
        if byte == UInt8(ascii: "?"), peek(1) == UInt8(ascii: "?"), peek(2) == UInt8(ascii: "=") { return "??=" }
        return nil
    }

    /// One element of a pipeline: an expression when the text starts like one, else a command.
    mutating func parsePipelineElement() -> PipelineElement? {
        let byte = peek()
        if atEnd || byte == UInt8(ascii: "}") || byte == UInt8(ascii: ")") || isNewline(byte) || byte == UInt8(ascii: ";") { return nil }
        if byte == UInt8(ascii: "&"), peek(1) != UInt8(ascii: "&") {
            return .command(parseCommand(invocation: .call))
        }
        if byte == UInt8(ascii: "."),
            Self.isSpace(peek(1)) || quote(at: position + 1) != nil || peek(1) == UInt8(ascii: "$") || peek(1) == UInt8(ascii: "(")
        {
            return .command(parseCommand(invocation: .dotSource))
        }
        if startsExpression() {
            guard let expression = parseExpression() else { return nil }
            return .expression(expression)
        }
        return .command(parseCommand(invocation: .direct))
    }

    /// Whether the text at the cursor is an expression rather than a command name.
    func startsExpression() -> Bool {
        let byte = peek()
        if quote(at: position) != nil { return true }
        switch byte {
        case UInt8(ascii: "$"), UInt8(ascii: "("), UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "!"), UInt8(ascii: ","): return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            // `7z.exe` is a command; `1`, `0x10`, `1.5`, `1..3` are numbers.
            var end = position
            while end < bytes.count, Self.isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            let text = file.string(position, end).lowercased()
            return text.allSatisfy { $0.isNumber || $0 == "." } || text.hasPrefix("0x")
                || ["kb", "mb", "gb", "tb", "pb", "l", "d"].contains { text.hasSuffix($0) && text.dropLast($0.count).allSatisfy(\.isNumber) }
        case UInt8(ascii: "-"):
            let next = peek(1)
            if next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9") { return true }
            // `-not $x`, `-join $a` at the start of a statement are unary operators.
            if let word = word(at: position + 1), ["not", "join", "split", "bnot"].contains(word) { return true }
            return false
        case UInt8(ascii: "+"):
            return peek(1) == UInt8(ascii: "+")
        default: return false
        }
    }

    // MARK: Keywords

    mutating func parseKeywordStatement(_ keyword: String, start: Int, after: Int) -> Statement? {
        switch keyword {
        case "if":
            position = after
            return parseIf(start: start)
        case "foreach":
            let save = position
            position = after
            skipSpace()
            guard peek() == UInt8(ascii: "(") else {
                position = save
                return nil
            }
            return parseForeach(start: start)
        case "for", "while":
            position = after
            skipSpace()
            if peek() == UInt8(ascii: "(") { skipBalanced() }
            skipSpace(newlines: true)
            return Statement(span: span(from: start), kind: .block(keyword: keyword, bodies: [parseBlockBody()]))
        case "do":
            position = after
            skipSpace(newlines: true)
            let body = parseBlockBody()
            skipSpace(newlines: true)
            if let word = word(at: position), word == "while" || word == "until" {
                position += word.utf8.count
                skipSpace()
                if peek() == UInt8(ascii: "(") { skipBalanced() }
            }
            return Statement(span: span(from: start), kind: .block(keyword: keyword, bodies: [body]))
        case "switch":
            position = after
            return parseSwitch(start: start)
        case "try", "trap", "begin", "process", "end", "dynamicparam", "finally":
            position = after
            var bodies: [[Statement]] = []
            skipSpace(newlines: true)
            if keyword == "trap", peek() == UInt8(ascii: "[") { skipBalanced() }
            skipSpace(newlines: true)
            bodies.append(parseBlockBody())
            // catch [T1], [T2] { } … finally { }
            while true {
                let save = position
                skipSpace(newlines: true)
                guard let next = word(at: position), next == "catch" || next == "finally" else {
                    position = save
                    break
                }
                position += next.utf8.count
                skipSpace(newlines: true)
                while peek() == UInt8(ascii: "[") || peek() == UInt8(ascii: ",") {
                    if peek() == UInt8(ascii: "[") { skipBalanced() } else { position += 1 }
                    skipSpace(newlines: true)
                }
                bodies.append(parseBlockBody())
            }
            return Statement(span: span(from: start), kind: .block(keyword: keyword, bodies: bodies))
        case "function", "filter", "workflow":
            position = after
            return parseFunction(start: start)
        case "return", "throw", "exit", "break", "continue":
            position = after
            skipSpace()
            let value: Pipeline?
            if let statement = parsePipeline(), case .pipeline(let pipeline) = statement.kind { value = pipeline } else { value = nil }
            return Statement(span: span(from: start), kind: .flow(keyword: keyword, value: value))
        case "param":
            position = after
            skipSpace(newlines: true)
            guard peek() == UInt8(ascii: "(") else { return nil }
            return Statement(span: span(from: start), kind: .parameters(parseParameterNames()))
        case "using", "class", "enum", "configuration":
            // Not used by package scripts; kept as an opaque statement up to the end of its block or line.
            position = after
            while !atEnd, !isNewline(peek()), peek() != UInt8(ascii: "{") { position += 1 }
            if peek() == UInt8(ascii: "{") { skipBalanced() }
            return Statement(span: span(from: start), kind: .block(keyword: keyword, bodies: []))
        default:
            return nil
        }
    }

    /// `{ statements }` at the cursor; an error (and nothing) when there is no `{`.
    mutating func parseBlockBody() -> [Statement] {
        guard peek() == UInt8(ascii: "{") else {
            error("expected '{'", at: position)
            return []
        }
        position += 1
        let body = parseStatementList(closing: UInt8(ascii: "}"))
        _ = expect(UInt8(ascii: "}"), "'}'")
        return body
    }

    /// Skips a bracketed region (`(…)`, `[…]`, `{…}`) with nesting and quotes, for parts not interpreted.
    mutating func skipBalanced() {
        var stack: [UInt8] = []
        let start = position
        while !atEnd {
            let byte = peek()
            if quote(at: position) != nil {
                _ = parseStringLiteral()
                continue
            }
            if byte == UInt8(ascii: "#") || (byte == UInt8(ascii: "<") && peek(1) == UInt8(ascii: "#")) {
                skipSpace()
                continue
            }
            position += 1
            switch byte {
            case UInt8(ascii: "("): stack.append(UInt8(ascii: ")"))
            case UInt8(ascii: "["): stack.append(UInt8(ascii: "]"))
            case UInt8(ascii: "{"): stack.append(UInt8(ascii: "}"))
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if stack.last == byte { stack.removeLast() }
                if stack.isEmpty { return }
            case UInt8(ascii: "`"): position += 1
            default: break
            }
            if stack.count > Self.maxDepth * 10 { break }
        }
        error("bracket not closed", at: start)
    }

    mutating func parseIf(start: Int) -> Statement {
        var clauses: [(condition: Pipeline, body: [Statement])] = []
        var elseBody: [Statement]?
        var needCondition = true
        while needCondition {
            needCondition = false
            skipSpace(newlines: true)
            let conditionStart = position
            var condition = Pipeline(span: span(from: conditionStart), elements: [], chain: nil)
            if expect(UInt8(ascii: "("), "'(' after if") {
                skipSpace(newlines: true)
                if let statement = parseStatement() {
                    switch statement.kind {
                    case .pipeline(let pipeline): condition = pipeline
                    default: condition = Pipeline(span: statement.span, elements: [], chain: nil)
                    }
                }
                skipSpace(newlines: true)
                _ = expect(UInt8(ascii: ")"), "')' closing the condition")
            }
            skipSpace(newlines: true)
            clauses.append((condition, parseBlockBody()))
            let save = position
            skipSpace(newlines: true)
            if let next = word(at: position), next == "elseif" || next == "else" {
                position += next.utf8.count
                if next == "elseif" {
                    needCondition = true
                } else {
                    skipSpace(newlines: true)
                    elseBody = parseBlockBody()
                }
            } else {
                position = save
            }
        }
        return Statement(span: span(from: start), kind: .ifStatement(clauses: clauses, elseBody: elseBody))
    }

    mutating func parseForeach(start: Int) -> Statement {
        position += 1  // (
        skipSpace(newlines: true)
        var variable = ""
        if peek() == UInt8(ascii: "$"), let parsed = parseVariable() { variable = parsed.name }
        skipSpace(newlines: true)
        if word(at: position) == "in" { position += 2 }
        skipSpace(newlines: true)
        var collection = Pipeline(span: span(from: position), elements: [], chain: nil)
        if let statement = parsePipeline(), case .pipeline(let pipeline) = statement.kind { collection = pipeline }
        skipSpace(newlines: true)
        _ = expect(UInt8(ascii: ")"), "')' after foreach")
        skipSpace(newlines: true)
        return Statement(span: span(from: start), kind: .foreachLoop(variable: variable, collection: collection, body: parseBlockBody()))
    }
}
