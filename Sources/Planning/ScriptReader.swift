import PowerShell

/// The line-level view of PowerShell and batch scripts that the linters need: logical lines (comments,
/// block comments and line continuations handled), statements (split at `;`, `&&`, `||`, batch `&`, and
/// pipes, outside quotes) and the `choco` calls in them. PowerShell goes through the one PowerShell reader
/// (the `PowerShell` module's parser); this is a façade over it. `lint-script` (ScriptLinter) and
/// `deployment lint` (Deployment's ScriptAnalysis) both read scripts through it, so a script means the same
/// to both — and to the internalizer.
public enum ScriptReader {
    /// A line as the shell sees it: continuation lines joined, comments removed, numbered by the line it
    /// starts on (1-based).
    public struct LogicalLine: Sendable, Hashable {
        public let number: Int
        public let text: String
    }

    /// What follows a statement on its line.
    public enum Separator: Sendable, Hashable {
        /// `;` (PowerShell) or `&` (batch): the next command runs whatever happened.
        case sequence
        /// `&&` or `||`: the next command depends on this one's result.
        case conditional
        /// `|`: this command's output feeds the next one.
        case pipe
    }

    /// One statement of a logical line and the separator after it (nil for the last one).
    public struct Statement: Sendable, Hashable {
        public let text: String
        public let separator: Separator?
    }

    /// One `choco` call (also `cinst` = install, `cup` = upgrade, `choco update` = upgrade).
    public struct ChocoCall: Sendable, Hashable {
        public let line: Int
        /// The subcommand, lower-cased (`upgrade`, `install`, `download`, ...).
        public let command: String
        /// Package ids, lower-cased, quotes removed, comma lists split.
        public let packages: [String]
        /// `--version`'s value, if given.
        public let version: String?
        /// Options and their values, as written (quotes kept), in order.
        public let arguments: [String]
        /// The statement as written.
        public let text: String
    }

    /// Options whose value is the next token (so it is not mistaken for a package id).
    static let optionsWithValue: Set<String> = [
        "--version", "-version", "--source", "-s", "--params", "--parameters", "--package-parameters",
        "--package-parameters-sensitive", "--install-arguments", "--ia", "--user", "-u", "--password", "-p", "--api-key",
        "--apikey", "-k", "--key", "--cache-location", "--execution-timeout", "--output-directory", "--outputdirectory",
        "--cert", "--cp", "--certpassword", "--download-checksum", "--checksum", "--checksum64", "--except", "--pin-reason",
        "--reason", "--name", "--value"
    ]

    /// `.bat` and `.cmd` files are batch; everything else (`.ps1`, `.psm1`, deployment steps) PowerShell.
    public static func isBatch(fileName: String) -> Bool {
        let lower = fileName.lowercased()
        return lower.hasSuffix(".bat") || lower.hasSuffix(".cmd")
    }

    /// The logical lines of `text`, without blank and comment-only lines. PowerShell is read by the
    /// PowerShell module's parser (comments, continuations and strings spanning lines as it sees them);
    /// batch files by ``BatchLines``.
    public static func logicalLines(_ text: String, batch: Bool) -> [LogicalLine] {
        batch ? BatchLines.logicalLines(text) : powerShellLines(text)
    }

    private static func powerShellLines(_ text: String) -> [LogicalLine] {
        let file = SourceFile(path: "script.ps1", text: text)
        let script = Parser.parse(file)
        let bytes = file.text
        var kept = [Bool](repeating: true, count: bytes.count)
        for comment in script.comments {
            for index in comment where index < kept.count { kept[index] = false }
        }
        var inString = [Bool](repeating: false, count: bytes.count)
        for range in script.joinedNewlines where bytes[range.lowerBound] != UInt8(ascii: "`") {
            for index in range where index < inString.count { inString[index] = true }
        }
        var result: [LogicalLine] = []
        var pending: (number: Int, text: String)?
        var number = 1
        var start = 0
        var index = 0
        func endLine(at end: Int, next: Int) {
            var piece: [UInt8] = []
            for position in start..<end where kept[position] && bytes[position] != 0x0D { piece.append(bytes[position]) }
            let newlineInString = end < bytes.count && inString[end]
            var line = String(decoding: piece, as: UTF8.self)
            if newlineInString {
                // A string spanning lines: its text stays as it is, newline included.
                pending = pending.map { ($0.number, $0.text + " " + line + "\n") } ?? (number, line + "\n")
            } else {
                line = line.trimmingCharacters(in: [" ", "\t"])
                if line.last == "`" {
                    let part = String(line.dropLast())
                    pending = pending.map { ($0.number, $0.text + " " + part) } ?? (number, part)
                } else if let open = pending {
                    result.append(LogicalLine(number: open.number, text: open.text.hasSuffix("\n") ? open.text + line : open.text + " " + line))
                    pending = nil
                } else if !line.isEmpty {
                    result.append(LogicalLine(number: number, text: line))
                }
            }
            start = next
            number += 1
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                endLine(at: index, next: index + 1)
            } else if byte == 0x0D, index + 1 >= bytes.count || bytes[index + 1] != 0x0A {
                endLine(at: index, next: index + 1)
            }
            index += 1
        }
        if start < bytes.count { endLine(at: bytes.count, next: bytes.count) }
        if let open = pending { result.append(LogicalLine(number: open.number, text: open.text)) }
        return result
    }

    /// The statements of one logical line. PowerShell: the parser's pipelines (each command of a pipe, then
    /// what `;`, `&&` or `||` joins), and the statements inside blocks on the line after the block itself.
    public static func statements(_ line: String, batch: Bool) -> [Statement] {
        if batch { return BatchLines.statements(line) }
        let file = SourceFile(path: "line.ps1", text: line)
        let script = Parser.parse(file)
        var result: [Statement] = []
        func text(_ span: SourceSpan) -> String { file.string(span.start - file.rawOffset(0), span.end - file.rawOffset(0)) }
        func separator(_ chain: String?) -> Separator? {
            switch chain {
            case ";": .sequence
            case "&&", "||": .conditional
            default: nil
            }
        }
        func visit(_ statements: [PowerShell.Statement]) {
            for statement in statements {
                switch statement.kind {
                case .pipeline(let pipeline):
                    for (index, element) in pipeline.elements.enumerated() {
                        let last = index == pipeline.elements.count - 1
                        result.append(Statement(text: text(element.span), separator: last ? separator(pipeline.chain) : .pipe))
                    }
                case .assignment(_, _, let value):
                    var chain: String?
                    if case .pipeline(let pipeline) = value.kind { chain = pipeline.chain }
                    result.append(Statement(text: text(statement.span), separator: separator(chain)))
                case .ifStatement(let clauses, let elseBody):
                    result.append(Statement(text: text(statement.span), separator: nil))
                    for clause in clauses { visit(clause.body) }
                    visit(elseBody ?? [])
                case .foreachLoop(_, _, let body), .function(_, _, let body):
                    result.append(Statement(text: text(statement.span), separator: nil))
                    visit(body)
                case .block(_, let bodies):
                    result.append(Statement(text: text(statement.span), separator: nil))
                    for body in bodies { visit(body) }
                case .flow, .parameters:
                    result.append(Statement(text: text(statement.span), separator: nil))
                }
            }
        }
        visit(script.statements)
        if let last = result.indices.last { result[last] = Statement(text: result[last].text, separator: nil) }
        return result
    }

    /// Whether `statement` runs choco (`choco`, `choco.exe`, `& choco`, a quoted path to `choco.exe`,
    /// `cinst`, `cup`).
    public static func isChoco(_ statement: String) -> Bool { executable(of: tokens(statement)) != nil }

    /// The choco call in `statement`, or nil when it runs something else.
    public static func chocoCall(_ statement: String, line: Int) -> ChocoCall? {
        let raw = tokens(statement, keepingQuotes: true)
        guard let executable = executable(of: raw) else { return nil }
        var rest = raw.dropFirst(raw.first == "&" ? 2 : 1)
        var command: String
        switch executable {
        case "cinst": command = "install"
        case "cup": command = "upgrade"
        default:
            guard let first = rest.popFirst() else { return nil }
            command = unquoted(first).lowercased()
        }
        if command == "update" { command = "upgrade" }
        var packages: [String] = []
        var arguments: [String] = []
        var version: String?
        while let token = rest.popFirst() {
            let lower = token.lowercased()
            if lower.hasPrefix("-") || lower.hasPrefix("/") {
                arguments.append(token)
                if lower.hasPrefix("--version=") || lower.hasPrefix("-version=") {
                    version = unquoted(String(token[token.index(after: token.firstIndex(of: "=")!)...]))
                } else if !lower.contains("="), !lower.contains(":"), optionsWithValue.contains(lower), let value = rest.popFirst() {
                    arguments.append(value)
                    if lower == "--version" || lower == "-version" { version = unquoted(value) }
                }
            } else {
                packages += unquoted(lower).split(separator: ",").map(String.init).filter { !$0.isEmpty }
            }
        }
        return ChocoCall(line: line, command: command, packages: packages, version: version, arguments: arguments, text: statement)
    }

    /// `choco`, `cinst` or `cup` when the statement's first word (after PowerShell's `&`) names one.
    private static func executable(of tokens: [String]) -> String? {
        var words = tokens[...]
        if words.first == "&" { words = words.dropFirst() }
        guard var first = words.first.map({ unquoted($0).lowercased() }) else { return nil }
        if first.hasPrefix("&") { first.removeFirst() }
        var name = first.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? first
        if name.hasSuffix(".exe") { name.removeLast(4) }
        return ["choco", "cinst", "cup"].contains(name) ? name : nil
    }

    /// The words of a command statement as the PowerShell parser reads them: `&` (when the call operator is
    /// used), the command, then each parameter and argument as written; quotes kept when asked, else removed
    /// from around each word. Empty when the statement is not a command.
    public static func tokens(_ statement: String, keepingQuotes: Bool = false) -> [String] {
        let file = SourceFile(path: "statement.ps1", text: statement)
        let script = Parser.parse(file)
        guard case .pipeline(let pipeline)? = script.statements.first?.kind, case .command(let command)? = pipeline.elements.first else { return [] }
        func text(_ span: SourceSpan) -> String { file.string(span.start - file.rawOffset(0), span.end - file.rawOffset(0)) }
        var words = command.invocation == .call ? ["&"] : []
        words.append(text(command.name.span))
        words += command.elements.map { text($0.span) }
        return keepingQuotes ? words : words.map(unquoted)
    }

    private static func unquoted(_ token: String) -> String {
        guard token.count >= 2, let first = token.first, first == "'" || first == "\"", token.last == first else { return token }
        return String(token.dropFirst().dropLast())
    }
}
