import Foundation

/// What a step's script does, as far as the linter needs to know: its choco commands and their packages.
struct ScriptAnalysis {
    /// One `choco` invocation found in a script.
    struct ChocoCommand {
        var line: Int
        var command: String
        var packages: [String]
        var version: String?
        var arguments: [String]
        var text: String
    }

    /// A parsed basic script `command|package|version|prerelease` (or the older `command|package`).
    struct Basic {
        var command: String
        var package: String
        var version: String
        var prerelease: String?
    }

    var commands: [ChocoCommand] = []
    /// (line number, problem) for lines that chain a choco command with others.
    var chained: [(line: Int, text: String)] = []
    /// The last line that is not blank or a comment.
    var lastLine: String?

    /// Packages upgraded or installed by the script, lower-cased, in order.
    var packages: [String] { commands.filter { ["upgrade", "install"].contains($0.command) }.flatMap(\.packages) }

    static func basic(_ script: String) -> Basic? {
        let fields = script.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 || fields.count == 2 else { return nil }
        return Basic(command: fields[0], package: fields[1], version: fields.count == 4 ? fields[2] : "",
                     prerelease: fields.count == 4 ? fields[3] : nil)
    }

    /// Analyses a PowerShell script line by line.
    static func advanced(_ script: String) -> ScriptAnalysis {
        var analysis = ScriptAnalysis()
        let lines = script.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            analysis.lastLine = line
            let statements = splitStatements(line)
            let chocoStatements = statements.filter { isChoco($0.text) }
            guard !chocoStatements.isEmpty else { continue }
            if statements.count > 1 || statements.contains(where: \.chained) {
                analysis.chained.append((index + 1, line))
            }
            for statement in chocoStatements {
                analysis.commands.append(parse(statement.text, line: index + 1))
            }
        }
        return analysis
    }

    /// Splits at `;`, `&&` and `||` outside quotes; `chained` marks a statement followed by a pipe.
    static func splitStatements(_ line: String) -> [(text: String, chained: Bool)] {
        var statements: [(text: String, chained: Bool)] = []
        var current = ""
        var quote: Character?
        var chars = Array(line)
        var index = 0
        chars.append(" ")
        while index < chars.count - 1 {
            let char = chars[index]
            if let open = quote {
                if char == open { quote = nil }
                current.append(char)
            } else if char == "'" || char == "\"" {
                quote = char
                current.append(char)
            } else if char == "#" {
                break
            } else if char == ";" || (char == "&" && chars[index + 1] == "&") || (char == "|" && chars[index + 1] == "|") {
                statements.append((current.trimmingCharacters(in: .whitespaces), false))
                current = ""
                if char != ";" { index += 1 }
            } else if char == "|" {
                // A pipeline after choco: CCM's appended arguments would land on the last command.
                statements.append((current.trimmingCharacters(in: .whitespaces), true))
                current = ""
            } else {
                current.append(char)
            }
            index += 1
        }
        let rest = current.trimmingCharacters(in: .whitespaces)
        if !rest.isEmpty { statements.append((rest, false)) }
        return statements.filter { !$0.text.isEmpty }
    }

    /// `choco …`, `choco.exe …`, `& choco …`, or a path ending in `\choco.exe`.
    static func isChoco(_ statement: String) -> Bool {
        var text = statement.lowercased()
        if text.hasPrefix("&") { text = text.dropFirst().trimmingCharacters(in: .whitespaces) }
        let first = text.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let name = first.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")).split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? ""
        return name == "choco" || name == "choco.exe"
    }

    static func parse(_ statement: String, line: Int) -> ChocoCommand {
        var tokens = tokenize(statement)
        if tokens.first == "&" { tokens.removeFirst() }
        if !tokens.isEmpty { tokens.removeFirst() }
        let command = tokens.first?.lowercased() ?? ""
        var packages: [String] = []
        var version: String?
        var arguments: [String] = []
        var index = 1
        while index < tokens.count {
            let token = tokens[index]
            let lower = token.lowercased()
            if lower.hasPrefix("-") || lower.hasPrefix("/") {
                arguments.append(token)
                if lower.hasPrefix("--version=") || lower.hasPrefix("-version=") {
                    version = String(token[token.index(after: token.firstIndex(of: "=")!)...])
                } else if lower == "--version" || lower == "-version", index + 1 < tokens.count {
                    version = tokens[index + 1]
                    index += 1
                } else if ["--source", "-s", "--package-parameters", "--params", "--package-parameters-sensitive", "-u", "--user", "-p", "--password"].contains(lower),
                          index + 1 < tokens.count {
                    arguments.append(tokens[index + 1])
                    index += 1
                }
            } else if arguments.isEmpty {
                packages.append(lower)
            }
            index += 1
        }
        return ChocoCommand(line: line, command: command, packages: packages, version: version, arguments: arguments, text: statement)
    }

    /// Splits on whitespace outside quotes; quotes stay in the token.
    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        for char in text {
            if let open = quote {
                current.append(char)
                if char == open { quote = nil }
            } else if char == "'" || char == "\"" {
                quote = char
                current.append(char)
            } else if char == " " || char == "\t" {
                if !current.isEmpty { tokens.append(current); current = "" }
            } else {
                current.append(char)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

