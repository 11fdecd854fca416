/// Reads a PowerShell script into a ``Script``: a recursive-descent parser straight over the bytes (no separate
/// token stream, because PowerShell tokenizes differently in command and expression mode).
///
/// It never fails: text it cannot read becomes a ``ParseError`` and parsing resumes at the next line. Nesting
/// is bounded (``maxDepth``) and every loop consumes input, so hostile input cannot crash or hang it.
public struct Parser {
    /// Nesting deeper than this (blocks, parentheses, strings in strings, chains of operators and member
    /// accesses) is reported and the rest of the file skipped.
    public static let maxDepth = 200

    let file: SourceFile
    let bytes: [UInt8]
    var position = 0
    var depth = 0
    var errors: [ParseError] = []
    var comments = Set<Range<Int>>()
    var joinedNewlines = Set<Range<Int>>()

    init(file: SourceFile) {
        self.file = file
        self.bytes = file.text
    }

    /// Parses `file`.
    public static func parse(_ file: SourceFile) -> Script {
        var parser = Parser(file: file)
        var statements: [Statement] = []
        while !parser.atEnd {
            let before = parser.position
            statements += parser.parseStatementList(closing: nil)
            if parser.position == before || !parser.atEnd {
                // A stray closing bracket at the top level: report it and go on after it.
                parser.error("unexpected '\(parser.peekCharacter)'", at: parser.position)
                parser.position += 1
            }
        }
        return Script(
            file: file, statements: statements, errors: parser.errors, comments: parser.comments.sorted { $0.lowerBound < $1.lowerBound },
            joinedNewlines: parser.joinedNewlines.sorted { $0.lowerBound < $1.lowerBound })
    }

    /// Parses `text` as the file `path`.
    public static func parse(_ text: String, path: String = "script.ps1") -> Script {
        parse(SourceFile(path: path, text: text))
    }

    // MARK: Cursor

    var atEnd: Bool { position >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8 {
        let index = position + offset
        return index < bytes.count ? bytes[index] : 0
    }

    var peekCharacter: String { atEnd ? "end of file" : file.string(position, min(position + 1, bytes.count)) }

    func span(from start: Int) -> SourceSpan { file.span(start, max(start, position)) }

    mutating func error(_ message: String, at offset: Int) {
        // Errors are capped so a megabyte of garbage does not make a megabyte of reports.
        guard errors.count < 100 else { return }
        errors.append(ParseError(span: file.span(offset, min(offset + 1, bytes.count)), message: message))
    }

    /// Enters one level of nesting; false (and the rest of the file skipped) when it is too deep.
    mutating func enter() -> Bool {
        depth += 1
        guard depth <= Self.maxDepth else {
            error("nesting deeper than \(Self.maxDepth) levels; the rest of the file is not read", at: position)
            position = bytes.count
            return false
        }
        return true
    }

    mutating func leave() { depth -= 1 }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0C || byte == 0x0B || byte == 0xA0 }

    func isNewline(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    /// The single or double quote at the cursor (PowerShell also takes the typographic quotes), with its length.
    func quote(at offset: Int) -> (double: Bool, length: Int)? {
        guard offset < bytes.count else { return nil }
        switch bytes[offset] {
        case UInt8(ascii: "'"): return (false, 1)
        case UInt8(ascii: "\""): return (true, 1)
        case 0xE2 where offset + 2 < bytes.count && bytes[offset + 1] == 0x80:
            switch bytes[offset + 2] {
            case 0x98...0x9B: return (false, 3)
            case 0x9C...0x9E: return (true, 3)
            default: return nil
            }
        default: return nil
        }
    }

    /// Skips blanks, comments and backtick line continuations; newlines too when `newlines`.
    mutating func skipSpace(newlines: Bool = false) {
        while !atEnd {
            let byte = peek()
            if Self.isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "`"), isNewline(peek(1)) {
                let start = position
                position += 2
                if peek(-1) == 0x0D, peek() == 0x0A { position += 1 }
                record(start..<position, in: &joinedNewlines)
            } else if byte == UInt8(ascii: "#") {
                let start = position
                while !atEnd, !isNewline(peek()) { position += 1 }
                record(start..<position, in: &comments)
            } else if byte == UInt8(ascii: "<"), peek(1) == UInt8(ascii: "#") {
                let start = position
                position += 2
                while !atEnd, !(peek() == UInt8(ascii: "#") && peek(1) == UInt8(ascii: ">")) { position += 1 }
                if atEnd { error("block comment '<#' is not closed", at: start) } else { position += 2 }
                record(start..<position, in: &comments)
            } else if newlines, isNewline(byte) {
                position += 1
            } else {
                return
            }
        }
    }

    /// Notes a lexical range once (the parser may look at the same text twice when it backtracks).
    func record(_ range: Range<Int>, in set: inout Set<Range<Int>>) { set.insert(range) }

    /// The keyword-like word at the cursor, lower-cased, when it is followed by a non-name byte.
    func word(at offset: Int) -> String? {
        var end = offset
        while end < bytes.count, Self.isNameByte(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
        guard end > offset else { return nil }
        return file.string(offset, end).lowercased()
    }

    mutating func expect(_ byte: UInt8, _ what: String) -> Bool {
        if peek() == byte {
            position += 1
            return true
        }
        error("expected \(what)", at: position)
        return false
    }
}
