/// Where a piece of script text sits in its file: the file's path inside the package (e.g.
/// `tools/chocolateyInstall.ps1`), the 1-based line and column for messages, and the byte range in the file's
/// bytes as stored (a UTF-8 BOM counts; offsets index the raw file), so a rewrite can replace exactly that
/// text and leave every other byte alone.
public struct SourceSpan: Sendable, Hashable, Codable {
    public var file: String
    public var line: Int
    public var column: Int
    /// Byte offsets into the raw file, `lowerBound..<upperBound`.
    public var start: Int
    public var end: Int

    public init(file: String, line: Int, column: Int, start: Int, end: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.start = start
        self.end = end
    }

    /// `file:line` for diagnostics.
    public var location: String { "\(file):\(line)" }
}
