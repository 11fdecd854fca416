extension Evaluator {
    mutating func evaluate(_ expression: Expression) -> Value {
        let value = evaluateKind(expression)
        if case .string(let string) = value, string.contains("://") {
            strings.append(StringOccurrence(value: string, site: expression.span))
        }
        return value
    }

    private mutating func evaluateKind(_ expression: Expression) -> Value {
        switch expression.kind {
        case .string(let literal), .expandableWord(let literal):
            return expand(literal)
        case .bareword(let word):
            return .string(word)
        case .number(let text):
            return Self.number(text).map(Value.number) ?? .unknown("the number '\(text)' is not evaluated")
        case .variable(let variable):
            return lookup(variable, at: expression.span)
        case .member(let target, let name, let isStatic):
            if isStatic { return .unknown("[\(typeName(target))]::\(name) is a .NET value known only at install time") }
            return member(evaluate(target), name)
        case .invokeMember(let target, let name, let arguments, let isStatic):
            let values = arguments.map { evaluate($0) }
            if isStatic { return staticMethod(typeName(target), name, values) }
            return method(evaluate(target), name, values)
        case .index(let target, let index):
            return self.index(evaluate(target), evaluate(index))
        case .hashtable(let literal):
            var table = HashtableValue(closingBrace: literal.closingBrace)
            for entry in literal.entries {
                let key: Value
                if case .bareword(let word) = entry.key.kind { key = .string(word) } else { key = evaluate(entry.key) }
                let value = evaluate(statement: entry.value)
                guard let name = key.stringValue else { continue }
                table.set(name, value, site: site(of: entry.value) ?? entry.value.span)
            }
            return .hashtable(table)
        case .array(let elements):
            return .array(elements.map { evaluate($0) })
        case .arraySubexpression(let statements):
            let produced = outputs(of: statements)
            if produced.count == 1, case .array = produced[0] { return produced[0] }
            if let unknown = produced.first(where: { !$0.isKnown }) { return unknown }
            return .array(produced)
        case .subexpression(let statements):
            return Self.collect(outputs(of: statements))
        case .parenthesized(let statement):
            return evaluate(statement: statement)
        case .scriptBlock(let body):
            // The block may run (a -ScriptBlock argument, a handler): its calls are visited, its assignments
            // do not leak.
            runBranches([body, []], line: expression.span.line, output: .discarded)
            return .scriptBlock
        case .typeLiteral(let type):
            return .unknown("the type [\(type)] is not a value")
        case .cast(let type, let inner):
            let value = evaluate(inner)
            switch type.lowercased() {
            case "string", "system.string": return value.text.map(Value.string).mapError { $0 }.valueOrUnknown
            case "int", "int32", "int64", "long", "double":
                if case .number = value { return value }
                if let text = value.stringValue, let number = Self.number(text) { return .number(number) }
                return value.isKnown ? .unknown("[\(type)] of a non-number") : value
            case "array", "object[]": if case .array = value { return value } else { return value.isKnown ? .array([value]) : value }
            case "hashtable": return value
            default: return value.isKnown ? .unknown("the [\(type)] conversion is not evaluated") : value
            }
        case .binary(let op, let left, let right):
            return binary(op, evaluate(left), evaluate(right))
        case .unary(let op, let operand):
            let value = evaluate(operand)
            switch op {
            case "-join":
                if case .array(let values) = value { return Value.array(values).joined("") }
                return value.text.map(Value.string).valueOrUnknown
            case "!", "-not":
                if case .bool(let flag) = value { return .bool(!flag) }
                return .unknown("the condition is not evaluated")
            case "-":
                if case .number(let number) = value { return .number(-number) }
                return .unknown("negation of a non-number")
            default:
                return .unknown("the '\(op)' operator is not evaluated")
            }
        }
    }

    /// The statements' output values, run in the current scope.
    mutating func outputs(of statements: [Statement]) -> [Value] {
        let saved = outputs
        outputs = []
        execute(statements)
        let produced = outputs
        outputs = saved
        return produced
    }

    func typeName(_ expression: Expression) -> String {
        if case .typeLiteral(let name) = expression.kind { return name }
        return "?"
    }

    static func number(_ text: String) -> Double? {
        var body = Substring(text.lowercased())
        var sign = 1.0
        if body.hasPrefix("-") {
            sign = -1
            body.removeFirst()
        }
        if body.hasPrefix("0x") { return UInt64(body.dropFirst(2), radix: 16).map { sign * Double($0) } }
        let multipliers: [(String, Double)] = [
            ("kb", 1024), ("mb", Double(1 << 20)), ("gb", Double(1 << 30)), ("tb", Double(1 << 40)), ("pb", Double(1 << 50))
        ]
        var factor = 1.0
        for (suffix, value) in multipliers where body.hasSuffix(suffix) {
            body = body.dropLast(2)
            factor = value
            break
        }
        if body.hasSuffix("l") || body.hasSuffix("d") { body = body.dropLast() }
        return Double(body).map { sign * $0 * factor }
    }

    /// A string literal or bare word with its `$variables` and `$(…)` expanded.
    mutating func expand(_ literal: StringLiteral) -> Value {
        var output = ""
        for part in literal.parts {
            let value: Value
            switch part {
            case .text(let text):
                output += text
                continue
            case .variable(let variable, let span):
                value = lookup(variable, at: span)
            case .subexpression(let statements, _):
                value = Self.collect(outputs(of: statements))
            }
            switch value.text {
            case .success(let text): output += text
            case .failure(let unknown): return .unknown(unknown.reason)
            }
        }
        return .string(output)
    }

    /// Variables choco and PowerShell define before the script runs.
    mutating func lookup(_ variable: Variable, at span: SourceSpan) -> Value {
        let name = variable.name.lowercased()
        if variable.scope == "env" {
            if let value = scope.environment[name] { return value }
            switch name {
            case "chocolateypackagename", "packagename", "chocolateypackageid": return .string(package.id)
            case "chocolateypackageversion", "packageversion": return .string(package.version)
            case "chocolateynuspecversion": return .string(package.nuspecVersion)
            case "chocolateypackagefolder", "packagefolder": return .string(package.packageFolder)
            default: return .unknown("$env:\(variable.name) is set on the machine at install time")
            }
        }
        if let scope = variable.scope, !["script", "global", "local", "private", "variable"].contains(scope) {
            return .unknown("$\(scope):\(variable.name) is read from the machine at install time")
        }
        if let value = scope.variables[name] { return value }
        let scriptPath = package.packageFolder + "\\" + file.path.replacingSlashes
        switch name {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "psscriptroot": return .string(Self.parent(scriptPath))
        case "pscommandpath": return .string(scriptPath)
        case "myinvocation":
            var command = HashtableValue()
            command.set("Definition", .string(scriptPath), site: nil)
            command.set("Path", .string(scriptPath), site: nil)
            command.set("Name", .string(Self.leaf(scriptPath)), site: nil)
            var invocation = HashtableValue()
            invocation.set("MyCommand", .hashtable(command), site: nil)
            invocation.set("PSScriptRoot", .string(Self.parent(scriptPath)), site: nil)
            invocation.set("PSCommandPath", .string(scriptPath), site: nil)
            return function == nil ? .hashtable(invocation) : .unknown("$MyInvocation inside function \(function!) is not evaluated")
        case "_", "psitem": return .unknown("$_ is the current pipeline object at install time")
        default: return .unknown("$\(variable.name) is not assigned a known value before line \(span.line)")
        }
    }

    func member(_ target: Value, _ name: String) -> Value {
        if case .alternatives(_, let reason) = target { return .unknown(reason) }
        switch target {
        case .hashtable(let table):
            if let entry = table[name] { return entry.value }
            if name.lowercased() == "count" || name.lowercased() == "keys" {
                return name.lowercased() == "count" ? .number(Double(table.entries.count)) : .array(table.entries.map { .string($0.key) })
            }
            return .null
        case .string(let string):
            if name.lowercased() == "length" { return .number(Double(string.count)) }
            return .unknown("the property .\(name) of a string is not evaluated")
        case .array(let values):
            if name.lowercased() == "count" || name.lowercased() == "length" { return .number(Double(values.count)) }
            return .unknown("the property .\(name) of an array is not evaluated")
        case .unknown: return target
        case .null: return .null
        default: return .unknown("the property .\(name) is not evaluated")
        }
    }

    func index(_ target: Value, _ index: Value) -> Value {
        if case .alternatives(_, let reason) = target { return .unknown(reason) }
        if case .alternatives(_, let reason) = index { return .unknown(reason) }
        switch (target, index) {
        case (.hashtable(let table), _):
            guard let key = index.stringValue else { return index }
            return table[key]?.value ?? .null
        case (.array(let values), .number(let number)):
            let position = Int(number) < 0 ? values.count + Int(number) : Int(number)
            return values.indices.contains(position) ? values[position] : .null
        case (.string(let string), .number(let number)):
            let characters = Array(string)
            let position = Int(number) < 0 ? characters.count + Int(number) : Int(number)
            return characters.indices.contains(position) ? .string(String(characters[position])) : .null
        case (.unknown, _): return target
        case (_, .unknown): return index
        default: return .unknown("the index is not evaluated")
        }
    }

    func method(_ target: Value, _ name: String, _ arguments: [Value]) -> Value {
        if let unknown = ([target] + arguments).first(where: { !$0.isKnown }) { return unknown }
        if case .hashtable(let table) = target {
            switch name.lowercased() {
            case "getenumerator":
                // Entries as `.Key`/`.Value` pairs, in the order written (a Hashtable's order is unspecified,
                // but a finder visits every entry either way).
                return .array(
                    table.entries.map { entry in
                        var pair = HashtableValue()
                        pair.set("Key", .string(entry.key), site: nil)
                        pair.set("Value", entry.value, site: entry.site)
                        return .hashtable(pair)
                    })
            case "containskey" where texts(arguments).count == 1: return .bool(table[texts(arguments)[0]] != nil)
            default: return .unknown("the hashtable method .\(name)() is not evaluated")
            }
        }
        guard case .string(let string) = target else {
            if name.lowercased() == "tostring", let text = target.stringValue { return .string(text) }
            return .unknown("the method .\(name)() is not evaluated")
        }
        let texts = arguments.compactMap(\.stringValue)
        switch (name.lowercased(), texts.count) {
        case ("tostring", _): return .string(string)
        case ("tolower", 0), ("tolowerinvariant", 0): return .string(string.lowercased())
        case ("toupper", 0), ("toupperinvariant", 0): return .string(string.uppercased())
        case ("trim", 0): return .string(string.trimmingWhitespace)
        case ("replace", 2):
            guard !texts[0].isEmpty else { return .unknown("Replace with an empty search string") }
            return .string(string.replacingAll(texts[0], with: texts[1]))
        case ("substring", 1), ("substring", 2):
            guard let start = Int(texts[0]), start >= 0, start <= string.count else { return .unknown("Substring out of range") }
            let tail = string.dropFirst(start)
            if texts.count == 1 { return .string(String(tail)) }
            guard let length = Int(texts[1]), length >= 0, length <= tail.count else { return .unknown("Substring out of range") }
            return .string(String(tail.prefix(length)))
        default:
            return .unknown("the string method .\(name)() is not evaluated")
        }
    }

    func texts(_ values: [Value]) -> [String] { values.compactMap(\.stringValue) }

    func staticMethod(_ type: String, _ name: String, _ arguments: [Value]) -> Value {
        if let unknown = arguments.first(where: { !$0.isKnown }) { return unknown }
        let texts = arguments.compactMap(\.stringValue)
        switch (type.lowercased().replacingAll("system.", with: ""), name.lowercased()) {
        case ("io.path", "combine") where texts.count == arguments.count && !texts.isEmpty:
            return .string(texts.dropFirst().reduce(texts[0]) { Self.join($0, $1) })
        case ("io.path", "getfilename") where texts.count == 1: return .string(Self.leaf(texts[0]))
        case ("io.path", "getdirectoryname") where texts.count == 1: return .string(Self.parent(texts[0]))
        default: return .unknown("[\(type)]::\(name)() is evaluated only at install time")
        }
    }

    func binary(_ op: String, _ left: Value, _ right: Value) -> Value {
        switch op {
        case "+": return Self.add(left, right)
        case "-f":
            if !left.isKnown { return left }
            guard let template = left.stringValue else { return .unknown("the -f format is not a string") }
            let arguments: [Value]
            if case .array(let values) = right { arguments = values } else { arguments = [right] }
            return CompositeFormat.format(template, arguments).map(Value.string).valueOrUnknown
        case "-join":
            guard case .array(let values) = left, let separator = right.stringValue else {
                return left.isKnown ? .unknown("-join of a non-array") : left
            }
            return Value.array(values).joined(separator)
        case "-replace", "-ireplace":
            if !left.isKnown { return left }
            guard let text = left.stringValue else { return .unknown("-replace on a non-string") }
            var pattern: String?
            var replacement = ""
            if case .array(let pair) = right, pair.count == 2 {
                pattern = pair[0].stringValue; replacement = pair[1].stringValue ?? ""
            } else {
                pattern = right.stringValue
            }
            guard let pattern, !pattern.isEmpty, pattern.allSatisfy({ !"\\^$.|?*+()[]{}".contains($0) }), !replacement.contains("$") else {
                return .unknown("-replace with a regular expression is not evaluated")
            }
            return .string(text.replacingAll(pattern, with: replacement, ignoringCase: true))
        case "*", "/", "%":
            guard case .number(let a) = left, case .number(let b) = right else {
                return .unknown("the '\(op)' operator is evaluated only on numbers")
            }
            switch op {
            case "*": return .number(a * b)
            case "/": return b == 0 ? .unknown("division by zero") : .number(a / b)
            default: return b == 0 ? .unknown("division by zero") : .number(a.truncatingRemainder(dividingBy: b))
            }
        case "-":
            guard case .number(let a) = left, case .number(let b) = right else { return .unknown("'-' on non-numbers") }
            return .number(a - b)
        default:
            return .unknown("the '\(op)' operator is not evaluated")
        }
    }

    static func add(_ left: Value, _ right: Value) -> Value {
        if case .alternatives(_, let reason) = left { return .unknown(reason) }
        if case .alternatives(_, let reason) = right { return .unknown(reason) }
        switch (left, right) {
        case (.unknown, _): return left
        case (.string(let a), _):
            return right.text.map { Value.string(a + $0) }.valueOrUnknown
        case (.number(let a), .number(let b)): return .number(a + b)
        case (.array(let a), .array(let b)): return .array(a + b)
        case (.array(let a), _): return right.isKnown ? .array(a + [right]) : right
        case (.hashtable(var a), .hashtable(let b)):
            for entry in b.entries { a.set(entry.key, entry.value, site: entry.site) }
            return .hashtable(a)
        case (.null, _): return right
        case (_, .unknown): return right
        default: return .unknown("'+' of these values is not evaluated")
        }
    }
}

extension Value {
    func joined(_ separator: String) -> Value {
        guard case .array(let values) = self else { return text.map(Value.string).valueOrUnknown }
        var pieces: [String] = []
        for value in values {
            switch value.text {
            case .success(let text): pieces.append(text)
            case .failure(let reason): return .unknown(reason.reason)
            }
        }
        return .string(pieces.joined(separator: separator))
    }
}

extension Result where Success == Value, Failure == Unknown {
    var valueOrUnknown: Value {
        switch self {
        case .success(let value): value
        case .failure(let unknown): .unknown(unknown.reason)
        }
    }
}
