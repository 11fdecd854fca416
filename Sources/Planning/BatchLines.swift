/// Batch files (`.bat`, `.cmd`) are not PowerShell: their lines are read by cmd's own few rules here —
/// `rem` and `::` comment lines, `^` continuations, `&`, `&&`, `||` and `|` between commands outside quotes.
/// The words of each command are then read like PowerShell's (``ScriptReader/tokens(_:keepingQuotes:)``).
enum BatchLines {
    static func logicalLines(_ text: String) -> [ScriptReader.LogicalLine] {
        var result: [ScriptReader.LogicalLine] = []
        var pending: (number: Int, text: String)?
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        // Any newline ends a line ("\r\n" is one Character in Swift).
        for (index, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lower = raw.trimmingCharacters(in: [" ", "\t"]).lowercased()
            let isComment = lower.hasPrefix("rem ") || lower == "rem" || lower.hasPrefix("::")
            let trimmed = isComment ? "" : raw.trimmingCharacters(in: [" ", "\t"])
            if trimmed.last == "^" {
                let part = String(trimmed.dropLast())
                pending = pending.map { ($0.number, $0.text + " " + part) } ?? (index + 1, part)
                continue
            }
            if let open = pending {
                result.append(ScriptReader.LogicalLine(number: open.number, text: open.text + " " + trimmed))
                pending = nil
            } else if !trimmed.isEmpty {
                result.append(ScriptReader.LogicalLine(number: index + 1, text: trimmed))
            }
        }
        if let open = pending { result.append(ScriptReader.LogicalLine(number: open.number, text: open.text)) }
        return result
    }

    static func statements(_ line: String) -> [ScriptReader.Statement] {
        var statements: [ScriptReader.Statement] = []
        var current = ""
        var quote: Character?
        var characters = Array(line)[...]
        func close(_ separator: ScriptReader.Separator?) {
            let text = current.trimmingCharacters(in: [" ", "\t"])
            if !text.isEmpty { statements.append(ScriptReader.Statement(text: text, separator: separator)) }
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
            } else if character == "&" {
                close(.sequence)
            } else {
                current.append(character)
            }
        }
        close(nil)
        return statements
    }
}
