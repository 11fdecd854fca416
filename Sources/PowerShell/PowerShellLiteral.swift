/// PowerShell text the tool writes (the reader's inverse, for literals).
public enum PowerShellLiteral {
    /// The characters PowerShell takes as single quotes: the ASCII one and the typographic U+2018…U+201B.
    public static let singleQuotes: Set<Character> = ["'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}"]

    /// `text` as a single-quoted PowerShell string: every single-quote character doubled, the typographic
    /// ones too (PowerShell would otherwise end the string there), nothing else interpreted.
    public static func singleQuoted(_ text: String) -> String {
        var result = "'"
        for character in text {
            result.append(character)
            if singleQuotes.contains(character) { result.append(character) }
        }
        return result + "'"
    }
}
