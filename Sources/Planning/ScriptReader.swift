/// The one reader of PowerShell and batch scripts, as far as the tool needs them: logical lines (comments,
/// block comments and line continuations handled), statements (split at `;`, `&&`, `||`, batch `&`, and
/// pipes, outside quotes) and the `choco` calls in them. `lint-script` (ScriptLinter) and `deployment lint`
/// (Deployment's ScriptAnalysis) both read scripts through it, so a script means the same to both.
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
        "--reason", "--name", "--value",
    ]

    /// `.bat` and `.cmd` files are batch; everything else (`.ps1`, `.psm1`, deployment steps) PowerShell.
    public static func isBatch(fileName: String) -> Bool {
        let lower = fileName.lowercased()
        return lower.hasSuffix(".bat") || lower.hasSuffix(".cmd")
    }

    /// The logical lines of `text`, without blank and comment-only lines.
    public static func logicalLines(_ text: String, batch: Bool) -> [LogicalLine] {
        var result: [LogicalLine] = []
        var pending: (number: Int, text: String)?
        var inBlockComment = false
        // Any newline ends a line: "\r\n" is one Character in Swift, so splitting on "\n" alone left a CRLF
        // script as one long line (and its combined upgrade unreported).
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = String(raw)
            if !batch {
                if inBlockComment {
                    guard let end = line.range(of: "#>") else { continue }
                    line = String(line[end.upperBound...])
                    inBlockComment = false
                }
                if let start = line.range(of: "<#") {
                    if let end = line[start.upperBound...].range(of: "#>") {
                        line = String(line[..<start.lowerBound]) + String(line[end.upperBound...])
                    } else {
                        line = String(line[..<start.lowerBound])
                        inBlockComment = true
                    }
                }
            }
            let trimmed = stripComment(line, batch: batch).trimmingCharacters(in: [" ", "\t"])
            let continuation: Character = batch ? "^" : "`"
            if trimmed.last == continuation {
                let part = String(trimmed.dropLast())
                pending = pending.map { ($0.number, $0.text + " " + part) } ?? (index + 1, part)
                continue
            }
            if let open = pending {
                result.append(LogicalLine(number: open.number, text: open.text + " " + trimmed))
                pending = nil
            } else if !trimmed.isEmpty {
                result.append(LogicalLine(number: index + 1, text: trimmed))
            }
        }
        if let open = pending { result.append(LogicalLine(number: open.number, text: open.text)) }
        return result
    }

    static func stripComment(_ line: String, batch: Bool) -> String {
        if batch {
            let lower = line.trimmingCharacters(in: [" ", "\t"]).lowercased()
            return lower.hasPrefix("rem ") || lower == "rem" || lower.hasPrefix("::") ? "" : line
        }
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" {
                return String(line[..<index])
            }
        }
        return line
    }

    /// The statements of one logical line, split outside quotes.
    public static func statements(_ line: String, batch: Bool) -> [Statement] {
        var statements: [Statement] = []
        var current = ""
        var quote: Character?
        var characters = Array(line)[...]
        func close(_ separator: Separator?) {
            let text = current.trimmingCharacters(in: [" ", "\t"])
            if !text.isEmpty { statements.append(Statement(text: text, separator: separator)) }
            current = ""
        }
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
                continue
            }
            if character == "'" || character == "\"" {
                quote = character
                current.append(character)
                continue
            }
            if character == "&" || character == "|", characters.first == character {
                characters.removeFirst()
                close(.conditional)
            } else if character == "|" {
                close(.pipe)
            } else if (character == ";" && !batch) || (character == "&" && batch) {
                close(.sequence)
            } else if character == "&", current.trimmingCharacters(in: [" ", "\t"]).isEmpty {
                current.append(character) // PowerShell's call operator: `& choco ...`
            } else {
                current.append(character)
            }
        }
        close(nil)
        return statements
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

    /// Whitespace-separated tokens outside quotes; quotes kept when asked (option values are quoted in
    /// scripts on purpose), else removed.
    public static func tokens(_ statement: String, keepingQuotes: Bool = false) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        for character in statement {
            if let open = quote {
                if character == open {
                    quote = nil
                    if keepingQuotes { current.append(character) }
                } else {
                    current.append(character)
                }
            } else if character == "'" || character == "\"" {
                quote = character
                if keepingQuotes { current.append(character) }
            } else if character == " " || character == "\t" {
                if !current.isEmpty { tokens.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    private static func unquoted(_ token: String) -> String {
        guard token.count >= 2, let first = token.first, first == "'" || first == "\"", token.last == first else { return token }
        return String(token.dropFirst().dropLast())
    }
}
