extension Parser {
    /// Binary operators by precedence level, loosest first (PowerShell's about_Operator_Precedence).
    static let operatorLevels: [Set<String>] = {
        let comparisons = [
            "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "replace", "contains",
            "notcontains", "in", "notin", "split", "join"
        ]
        var level1 = Set(comparisons.flatMap { ["-" + $0, "-i" + $0, "-c" + $0] })
        level1.formUnion(["-is", "-isnot", "-as", "-band", "-bor", "-bxor", "-shl", "-shr"])
        return [["-and", "-or", "-xor"], level1, ["+", "-"], ["*", "/", "%"], ["-f"], [".."]]
    }()

    /// An expression (expression mode); nil with an error when none starts at the cursor.
    mutating func parseExpression(allowComma: Bool = true) -> Expression? {
        guard enter() else { return nil }
        defer { leave() }
        return parseBinary(level: 0, allowComma: allowComma)
    }

    /// The binary operator at the cursor when it belongs to `level`, with its length.
    func binaryOperator(level: Int) -> (String, Int)? {
        let byte = peek()
        var candidate: (String, Int)?
        switch byte {
        case UInt8(ascii: "-"):
            if let word = word(at: position + 1), !word.isEmpty, Self.isNameByte(peek(1)) {
                let name = String(word.prefix { $0 != "-" })
                candidate = ("-" + name, name.utf8.count + 1)
            } else if peek(1) != UInt8(ascii: "=") && peek(1) != UInt8(ascii: "-") {
                candidate = ("-", 1)
            }
        case UInt8(ascii: "+"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            if peek(1) != UInt8(ascii: "="), !(byte == UInt8(ascii: "+") && peek(1) == UInt8(ascii: "+")) {
                candidate = (String(UnicodeScalar(byte)), 1)
            }
        case UInt8(ascii: "."):
            if peek(1) == UInt8(ascii: ".") { candidate = ("..", 2) }
        default: break
        }
        guard let (name, length) = candidate, Self.operatorLevels[level].contains(name.lowercased()) else { return nil }
        return (name.lowercased(), length)
    }

    mutating func parseBinary(level: Int, allowComma: Bool) -> Expression? {
        guard level < Self.operatorLevels.count else { return parseUnary(allowComma: allowComma) }
        let start = position
        guard var left = parseBinary(level: level + 1, allowComma: allowComma) else { return nil }
        // Each operator deepens the (left-leaning) tree: it counts against the nesting bound, so a line of
        // a million `+` cannot make a tree too deep to evaluate or free.
        var levels = 0
        defer { depth -= levels }
        while true {
            let save = position
            skipSpace()
            guard let (name, length) = binaryOperator(level: level) else {
                position = save
                return left
            }
            position += length
            guard enter() else { return left }
            levels += 1
            skipSpace(newlines: true)
            guard let right = parseBinary(level: level + 1, allowComma: allowComma) else {
                error("expected a value after '\(name)'", at: position)
                return left
            }
            left = Expression(span: span(from: start), kind: .binary(operator: name, left: left, right: right))
        }
    }

    mutating func parseUnary(allowComma: Bool) -> Expression? {
        let start = position
        let byte = peek()
        var prefix: String?
        if byte == UInt8(ascii: "!") {
            prefix = "!"
        } else if byte == UInt8(ascii: "-"), let word = word(at: position + 1), ["not", "bnot", "join", "split"].contains(word) {
            prefix = "-" + word
        } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "$") || peek(1) == UInt8(ascii: "(") {
            prefix = "-"
        } else if (byte == UInt8(ascii: "+") && peek(1) == UInt8(ascii: "+")) || (byte == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-")) {
            prefix = file.string(position, position + 2)
        }
        if let prefix {
            position += prefix.utf8.count
            skipSpace()
            guard enter() else { return nil }
            defer { leave() }
            guard let operand = parseUnary(allowComma: allowComma) else { return nil }
            return Expression(span: span(from: start), kind: .unary(operator: prefix, operand: operand))
        }
        if byte == UInt8(ascii: "[") {
            let typeStart = position
            skipBalanced()
            let type = file.string(typeStart + 1, max(typeStart + 1, position - 1))
            if peek() == UInt8(ascii: ":"), peek(1) == UInt8(ascii: ":") {
                position = typeStart
                return parseArrayLiteral(allowComma: allowComma)
            }
            let save = position
            skipSpace()
            if startsCastOperand() {
                guard enter() else { return nil }
                defer { leave() }
                guard let operand = parseUnary(allowComma: allowComma) else { return nil }
                return Expression(span: span(from: start), kind: .cast(type: type, value: operand))
            }
            position = save
            return Expression(span: span(from: start), kind: .typeLiteral(type))
        }
        return parseArrayLiteral(allowComma: allowComma)
    }

    func startsCastOperand() -> Bool {
        let byte = peek()
        return byte == UInt8(ascii: "$") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "[")
            || quote(at: position) != nil || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// `a, b, c` (comma binds tighter than the binary operators), or one element.
    mutating func parseArrayLiteral(allowComma: Bool) -> Expression? {
        let start = position
        guard let first = parsePostfix() else { return nil }
        guard allowComma else { return first }
        var elements = [first]
        while true {
            let save = position
            skipSpace()
            guard peek() == UInt8(ascii: ","), peek(1) != UInt8(ascii: ",") else {
                position = save
                break
            }
            position += 1
            skipSpace(newlines: true)
            guard let next = parseUnary(allowComma: false) else {
                error("expected a value after ','", at: position)
                break
            }
            elements.append(next)
        }
        return elements.count == 1 ? first : Expression(span: span(from: start), kind: .array(elements))
    }

    /// A primary expression and its `.member`, `.method(…)`, `::member` and `[index]` suffixes (no blank
    /// before a suffix, as in PowerShell).
    mutating func parsePostfix() -> Expression? {
        let start = position
        guard var expression = parsePrimary() else { return nil }
        var steps = 0
        defer { depth -= steps }
        while true {
            let byte = peek()
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") {
                // Like operators, each suffix deepens the tree and counts against the nesting bound.
                guard enter() else { return expression }
                steps += 1
            }
            let isStatic = byte == UInt8(ascii: ":") && peek(1) == UInt8(ascii: ":")
            if (byte == UInt8(ascii: ".") && peek(1) != UInt8(ascii: ".")) || isStatic {
                let memberStart = position + (isStatic ? 2 : 1)
                let next = memberStart < bytes.count ? bytes[memberStart] : 0
                var name: String
                if Self.isNameByte(next) {
                    position = memberStart
                    while Self.isNameByte(peek()) { position += 1 }
                    name = file.string(memberStart, position)
                } else if quote(at: memberStart) != nil {
                    position = memberStart
                    guard let literal = parseStringLiteral(), case .string(let string) = literal.kind else { return expression }
                    name = string.parts.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
                } else if next == UInt8(ascii: "$") || next == UInt8(ascii: "(") {
                    position = memberStart
                    guard let dynamic = parsePrimary() else { return expression }
                    name = "(" + file.string(dynamic.span.start, dynamic.span.end) + ")"
                } else {
                    return expression
                }
                if peek() == UInt8(ascii: "(") {
                    position += 1
                    let arguments = parseArgumentList(closing: UInt8(ascii: ")"))
                    expression = Expression(
                        span: span(from: start), kind: .invokeMember(target: expression, name: name, arguments: arguments, isStatic: isStatic))
                } else {
                    expression = Expression(span: span(from: start), kind: .member(target: expression, name: name, isStatic: isStatic))
                }
            } else if byte == UInt8(ascii: "[") {
                position += 1
                skipSpace(newlines: true)
                let index = parseExpression() ?? Expression(span: span(from: position), kind: .bareword(""))
                skipSpace(newlines: true)
                _ = expect(UInt8(ascii: "]"), "']'")
                expression = Expression(span: span(from: start), kind: .index(target: expression, index: index))
            } else {
                return expression
            }
        }
        return expression
    }

    /// `a, b, c)` of a method call; the closing byte is consumed.
    mutating func parseArgumentList(closing: UInt8) -> [Expression] {
        var arguments: [Expression] = []
        while true {
            skipSpace(newlines: true)
            if atEnd { break }
            if peek() == closing {
                position += 1
                break
            }
            if peek() == UInt8(ascii: ",") {
                position += 1
                continue
            }
            let before = position
            if let argument = parseExpression(allowComma: false) { arguments.append(argument) }
            if position == before {
                error("unexpected '\(peekCharacter)' in an argument list", at: position)
                position += 1
            }
        }
        return arguments
    }

    mutating func parsePrimary() -> Expression? {
        let start = position
        let byte = peek()
        if quote(at: position) != nil { return parseStringLiteral() }
        switch byte {
        case UInt8(ascii: "$"):
            if peek(1) == UInt8(ascii: "(") {
                position += 2
                let body = parseStatementList(closing: UInt8(ascii: ")"))
                _ = expect(UInt8(ascii: ")"), "')' closing '$('")
                return Expression(span: span(from: start), kind: .subexpression(body))
            }
            if let variable = parseVariable() { return Expression(span: span(from: start), kind: .variable(variable)) }
            position += 1
            return Expression(span: span(from: start), kind: .bareword("$"))
        case UInt8(ascii: "@"):
            let next = peek(1)
            if next == UInt8(ascii: "(") {
                position += 2
                let body = parseStatementList(closing: UInt8(ascii: ")"))
                _ = expect(UInt8(ascii: ")"), "')' closing '@('")
                return Expression(span: span(from: start), kind: .arraySubexpression(body))
            }
            if next == UInt8(ascii: "{") { return parseHashtable() }
            if quote(at: position + 1) != nil { return parseStringLiteral() }
            return nil
        case UInt8(ascii: "("):
            position += 1
            skipSpace(newlines: true)
            guard enter() else { return nil }
            defer { leave() }
            let inner =
                parseStatement()
                ?? Statement(span: span(from: position), kind: .pipeline(Pipeline(span: span(from: position), elements: [], chain: nil)))
            skipSpace(newlines: true)
            _ = expect(UInt8(ascii: ")"), "')'")
            return Expression(span: span(from: start), kind: .parenthesized(inner))
        case UInt8(ascii: "["):
            skipBalanced()
            return Expression(span: span(from: start), kind: .typeLiteral(file.string(start + 1, max(start + 1, position - 1))))
        case UInt8(ascii: "{"):
            position += 1
            let body = parseStatementList(closing: UInt8(ascii: "}"))
            _ = expect(UInt8(ascii: "}"), "'}' closing the script block")
            return Expression(span: span(from: start), kind: .scriptBlock(body))
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return parseNumber()
        case UInt8(ascii: "-") where peek(1) >= UInt8(ascii: "0") && peek(1) <= UInt8(ascii: "9"):
            position += 1
            guard let number = parseNumber(), case .number(let text) = number.kind else { return nil }
            return Expression(span: span(from: start), kind: .number("-" + text))
        default:
            guard Self.isNameByte(byte) else { return nil }
            while Self.isNameByte(peek()) || peek() == UInt8(ascii: "-") || peek() == UInt8(ascii: "\\") { position += 1 }
            return Expression(span: span(from: start), kind: .bareword(file.string(start, position)))
        }
    }

    mutating func parseNumber() -> Expression? {
        let start = position
        if peek() == UInt8(ascii: "0"), peek(1) | 0x20 == UInt8(ascii: "x") {
            position += 2
            while Self.isNameByte(peek()) { position += 1 }
            return Expression(span: span(from: start), kind: .number(file.string(start, position)))
        }
        while peek() >= UInt8(ascii: "0") && peek() <= UInt8(ascii: "9") { position += 1 }
        if peek() == UInt8(ascii: "."), peek(1) >= UInt8(ascii: "0") && peek(1) <= UInt8(ascii: "9") {
            position += 1
            while peek() >= UInt8(ascii: "0") && peek() <= UInt8(ascii: "9") { position += 1 }
        }
        while Self.isNameByte(peek()) { position += 1 }  // exponent and suffixes (e, d, l, kb, mb, …)
        return Expression(span: span(from: start), kind: .number(file.string(start, position)))
    }

    /// `$name`, `${any name}`, `$scope:name`, `$_`, `$$`, `$?`, `$^`; nil (cursor unmoved) for a lone `$`.
    mutating func parseVariable() -> Variable? {
        let start = position
        position += 1
        let byte = peek()
        if byte == UInt8(ascii: "{") {
            position += 1
            let nameStart = position
            var name: [UInt8] = []
            while !atEnd, peek() != UInt8(ascii: "}") {
                if peek() == UInt8(ascii: "`") { position += 1 }
                if !atEnd { name.append(peek()) }
                position += 1
            }
            if atEnd { error("'${' is not closed", at: nameStart) } else { position += 1 }
            return Self.splitScope(String(decoding: name, as: UTF8.self))
        }
        if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "^") {
            position += 1
            return Variable(scope: nil, name: String(UnicodeScalar(byte)))
        }
        guard Self.isNameByte(byte) else {
            position = start
            return nil
        }
        let nameStart = position
        while Self.isNameByte(peek()) { position += 1 }
        if peek() == UInt8(ascii: ":"), peek(1) != UInt8(ascii: ":"), Self.isNameByte(peek(1)) {
            let scope = file.string(nameStart, position).lowercased()
            position += 1
            let innerStart = position
            while Self.isNameByte(peek()) { position += 1 }
            return Variable(scope: scope, name: file.string(innerStart, position))
        }
        return Variable(scope: nil, name: file.string(nameStart, position))
    }

    static func splitScope(_ name: String) -> Variable {
        if let colon = name.firstIndex(of: ":"), colon != name.startIndex {
            return Variable(scope: name[..<colon].lowercased(), name: String(name[name.index(after: colon)...]))
        }
        return Variable(scope: nil, name: name)
    }

    mutating func parseHashtable() -> Expression? {
        let start = position
        position += 2  // @{
        var entries: [HashtableLiteral.Entry] = []
        guard enter() else { return nil }
        defer { leave() }
        while true {
            skipSpace(newlines: true)
            while peek() == UInt8(ascii: ";") {
                position += 1
                skipSpace(newlines: true)
            }
            if atEnd {
                error("hashtable '@{' is not closed", at: start)
                return Expression(span: span(from: start), kind: .hashtable(HashtableLiteral(entries: entries, closingBrace: span(from: position))))
            }
            if peek() == UInt8(ascii: "}") { break }
            let before = position
            let keyStart = position
            let key: Expression
            if quote(at: position) != nil || peek() == UInt8(ascii: "$") || peek() == UInt8(ascii: "(") {
                key = parsePostfix() ?? Expression(span: span(from: keyStart), kind: .bareword(""))
            } else {
                while !atEnd, !Self.isSpace(peek()), !isNewline(peek()), peek() != UInt8(ascii: "="), peek() != UInt8(ascii: "}"),
                    peek() != UInt8(ascii: ";")
                {
                    position += 1
                }
                key = Expression(span: span(from: keyStart), kind: .bareword(file.string(keyStart, position)))
            }
            skipSpace()
            if peek() == UInt8(ascii: "=") {
                position += 1
                skipSpace(newlines: true)
                let valueStart = position
                if let value = parseStatement() {
                    entries.append(.init(key: key, value: value))
                } else {
                    error("expected a value for the hashtable key", at: valueStart)
                }
            } else {
                error("expected '=' after a hashtable key", at: position)
                if position == before { position += 1 }
                while !atEnd, !isNewline(peek()), peek() != UInt8(ascii: "}") { position += 1 }
            }
        }
        let brace = position
        position += 1
        return Expression(span: span(from: start), kind: .hashtable(HashtableLiteral(entries: entries, closingBrace: file.span(brace, brace + 1))))
    }
}
