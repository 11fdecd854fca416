import Foundation
import Compatibility
import Diagnostics

/// Checks an admin's own PowerShell or batch script for the upgrade mistakes Chocolatey warns about.
public enum ScriptLinter {
    /// One `choco` invocation found in the script.
    struct Invocation {
        let line: Int
        let command: String
        let packages: [String]
        let options: [String]
    }

    static let licensedIDs = Set(CCMCatalogue.standard.ccmLicensedIDs)

    /// Options that take the next token as their value (so it is not mistaken for a package id).
    static let optionsWithValue: Set<String> = [
        "--version", "--source", "-s", "--params", "--parameters", "--package-parameters", "--package-parameters-sensitive",
        "--install-arguments", "--ia", "--user", "-u", "--password", "-p", "--api-key", "--apikey", "-k", "--key",
        "--cache-location", "--execution-timeout", "--output-directory", "--outputdirectory", "--cert", "--cp", "--certpassword",
        "--download-checksum", "--checksum", "--checksum64", "--except", "--pin-reason", "--reason", "--name", "--value",
    ]

    /// The longest script linted: upgrade scripts are a few KiB (10 MB cost 559 MiB and 8 s).
    public static let maxScriptBytes = 1 << 20

    /// Diagnostics for `text`, located at `file:line`.
    public static func lint(_ text: String, file: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ line: Int, _ severity: Diagnostic.Severity, _ rule: String, _ message: String) {
            diagnostics.append(Diagnostic(severity, rule: rule, at: .init(file: file, line: line), Redaction.mask(message)))
        }
        guard text.utf8.count <= maxScriptBytes else {
            report(1, .error, "too-large", "the script is \(text.utf8.count) bytes; at most \(maxScriptBytes >> 20) MiB is linted")
            return diagnostics
        }
        let isBatch = file.lowercased().hasSuffix(".bat") || file.lowercased().hasSuffix(".cmd")
        var invocations: [Invocation] = []
        for (number, line) in logicalLines(text, batch: isBatch) {
            let statements = splitStatements(line, batch: isBatch)
            let chocoStatements = statements.compactMap { parse($0, line: number) }
            if statements.count > 1 && !chocoStatements.isEmpty {
                report(number, .error, "chained-command",
                       "choco is chained with other commands on one line (';' or '&'); put each command on its own line — CCM deployments append their arguments to the line and break the chain")
            }
            invocations += chocoStatements
        }
        let serverOrder = CCMCatalogue.standard.serverPackageIDs
        var lastServer: (index: Int, line: Int)?
        for invocation in invocations where ["upgrade", "install"].contains(invocation.command) {
            let servers = invocation.packages.filter { serverOrder.contains($0) }
            if servers.count > 1 {
                report(invocation.line, .error, "combined-server-packages",
                       "\(servers.joined(separator: ", ")) in one choco \(invocation.command); upgrade them one per command: database, then service, then web")
            }
            if invocation.packages.contains("all") {
                report(invocation.line, .error, "upgrade-all", "choco \(invocation.command) all upgrades the CCM server packages together and in no set order")
            }
            for server in servers {
                let index = serverOrder.firstIndex(of: server)!
                if let last = lastServer, index < last.index {
                    report(invocation.line, .error, "server-order",
                           "\(server) comes after \(serverOrder[last.index]) (line \(last.line)); the order is database → service → web")
                }
                lastServer = (index, invocation.line)
            }
            let licensed = invocation.packages.filter { licensedIDs.contains($0) }
            if !licensed.isEmpty, invocation.options.contains(where: { $0.hasPrefix("--internalize") }) {
                report(invocation.line, .error, "internalize-licensed",
                       "never internalize licensed packages (\(licensed.joined(separator: ", "))): it breaks their signed scripts")
            }
        }
        for invocation in invocations where invocation.command == "download" {
            let licensed = invocation.packages.filter { licensedIDs.contains($0) }
            if !licensed.isEmpty, invocation.options.contains(where: { $0.hasPrefix("--internalize") }) {
                report(invocation.line, .error, "internalize-licensed",
                       "never internalize licensed packages (\(licensed.joined(separator: ", "))): it breaks their signed scripts")
            }
        }
        return diagnostics.sorted { ($0.line ?? 0, $0.rule ?? "") < ($1.line ?? 0, $1.rule ?? "") }
    }

    /// Lines with continuations joined (PowerShell backtick, batch caret) and comments removed; numbered
    /// by the line they start on.
    static func logicalLines(_ text: String, batch: Bool) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var pending: (Int, String)?
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
            line = stripComment(line, batch: batch)
            let trimmed = line.trimmingCharacters(in: [" ", "\t"])
            let continuation = batch ? "^" : "`"
            if trimmed.hasSuffix(continuation) {
                let body = String(trimmed.dropLast())
                pending = pending.map { ($0.0, $0.1 + " " + body) } ?? (index + 1, body)
                continue
            }
            if let open = pending {
                result.append((open.0, open.1 + " " + trimmed))
                pending = nil
            } else if !trimmed.isEmpty {
                result.append((index + 1, trimmed))
            }
        }
        if let open = pending { result.append(open) }
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
            if let open = quote { if character == open { quote = nil } }
            else if character == "'" || character == "\"" { quote = character }
            else if character == "#" { return String(line[..<index]) }
        }
        return line
    }

    /// Splits on `;` (PowerShell) or `&`/`&&`/`||` (batch, and PowerShell 7's `&&`/`||`) outside quotes.
    static func splitStatements(_ line: String, batch: Bool) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
                continue
            }
            if character == "'" || character == "\"" { quote = character; current.append(character); continue }
            let isSeparator = character == ";" && !batch
                || (character == "&" && (batch || characters.first == "&"))
                || (character == "|" && characters.first == "|")
            if isSeparator {
                if characters.first == character { characters.removeFirst() }
                statements.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: [" ", "\t"]) }.filter { !$0.isEmpty }
    }

    static func parse(_ statement: String, line: Int) -> Invocation? {
        let tokens = tokenize(statement)
        guard let first = tokens.first?.lowercased() else { return nil }
        let executable = first.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last.map(String.init) ?? first
        var command: String
        var rest: ArraySlice<String>
        switch executable {
        case "choco", "choco.exe", "&choco", "&choco.exe":
            guard tokens.count > 1 else { return nil }
            command = tokens[1].lowercased()
            rest = tokens.dropFirst(2)
        case "cinst", "cinst.exe": command = "install"; rest = tokens.dropFirst()
        case "cup", "cup.exe": command = "upgrade"; rest = tokens.dropFirst()
        default: return nil
        }
        if command == "update" { command = "upgrade" }
        var packages: [String] = []
        var options: [String] = []
        while let token = rest.popFirst() {
            let lower = token.lowercased()
            if lower.hasPrefix("-") || lower.hasPrefix("/") {
                options.append(lower)
                if !lower.contains("="), !lower.contains(":"), optionsWithValue.contains(lower) { _ = rest.popFirst() }
            } else {
                packages += lower.split(separator: ",").map(String.init).filter { !$0.isEmpty }
            }
        }
        return Invocation(line: line, command: command, packages: packages, options: options)
    }

    /// Whitespace-separated tokens, quotes removed, quoted spaces kept.
    static func tokenize(_ statement: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quote: Character?
        for character in statement {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == " " || character == "\t" {
                if !current.isEmpty { tokens.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
