import PowerShell

/// One change to a script's raw bytes: `range` replaced by `replacement` (an empty range inserts).
public struct ScriptEdit: Sendable, Hashable {
    public var range: Range<Int>
    public var replacement: [UInt8]

    public init(range: Range<Int>, replacement: [UInt8]) {
        self.range = range
        self.replacement = replacement
    }

    public init(range: Range<Int>, text: String) {
        self.init(range: range, replacement: Array(text.utf8))
    }
}

/// Applies edits to a script's bytes as stored (BOM, CRLF and every untouched byte kept) and removes the
/// Authenticode signature block of a script it changes: the signature covers the old text, and a broken one
/// fails on machines whose execution policy checks it (Chocolatey's internalizer strips it too, licensed#155).
public enum ScriptRewriter {
    static let signatureStart = Array("# SIG # Begin signature block".utf8)
    static let signatureEnd = Array("# SIG # End signature block".utf8)

    /// `bytes` with `edits` applied (identical edits collapse into one), the signature block removed. Edits
    /// that overlap or fall outside the file are refused: they mean the finder's spans do not match the file.
    public static func apply(_ edits: [ScriptEdit], to bytes: [UInt8], file: String) throws(EmbeddingError) -> (bytes: [UInt8], signatureRemoved: Bool) {
        var unique: [ScriptEdit] = []
        for edit in edits where !unique.contains(edit) { unique.append(edit) }
        // Insertions at a point sort before a replacement starting there; equal starts keep their order.
        let ordered = unique.enumerated().sorted { left, right in
            let a = left.element.range, b = right.element.range
            if a.lowerBound != b.lowerBound { return a.lowerBound < b.lowerBound }
            if a.isEmpty != b.isEmpty { return a.isEmpty }
            return left.offset < right.offset
        }.map(\.element)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 256)
        var position = 0
        for edit in ordered {
            guard edit.range.lowerBound >= position, edit.range.upperBound <= bytes.count else {
                throw .badSpan(file: file, reason: "edit at bytes \(edit.range.lowerBound)..<\(edit.range.upperBound) overlaps another "
                    + "or lies outside the file (\(bytes.count) bytes)")
            }
            output += bytes[position..<edit.range.lowerBound]
            output += edit.replacement
            position = edit.range.upperBound
        }
        output += bytes[position...]
        let stripped = removingSignature(output)
        return (stripped ?? output, stripped != nil)
    }

    /// The script without its `# SIG # Begin signature block` … `# SIG # End signature block` lines, or nil
    /// when it has none.
    public static func removingSignature(_ bytes: [UInt8]) -> [UInt8]? {
        guard let start = find(signatureStart, in: bytes, from: 0) else { return nil }
        // From the start of the line that opens the block to the end of the line that closes it.
        var lineStart = start
        while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        guard bytes[lineStart..<start].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
        var end = bytes.count
        if let close = find(signatureEnd, in: bytes, from: start) {
            end = close + signatureEnd.count
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            if end < bytes.count { end += 1 }
        }
        return Array(bytes[..<lineStart]) + Array(bytes[end...])
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count, from <= haystack.count - needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The line ending the file uses (CRLF when its first line ends so), for inserted lines.
    public static func lineEnding(of bytes: [UInt8]) -> String {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return "\r\n" }
        return newline > 0 && bytes[newline - 1] == 0x0D ? "\r\n" : "\n"
    }
}

/// PowerShell text the rewrite inserts.
public enum PowerShellText {
    /// An expression for the file at `relativePath` (package-relative, `/`-separated) as seen from the script
    /// at `scriptPath`: the script's own folder (`$PSScriptRoot`, which inside a function still names the file's
    /// folder; `$MyInvocation` for PowerShell 2, which has no `$PSScriptRoot`) joined with the relative path.
    public static func localPath(of relativePath: String, fromScript scriptPath: String) -> String {
        let relative = relativeWindowsPath(from: folder(of: scriptPath), to: relativePath)
        return "(Join-Path $(if ($PSScriptRoot) { $PSScriptRoot } else { Split-Path -Parent $MyInvocation.MyCommand.Definition }) "
            + PowerShellLiteral.singleQuoted(relative) + ")"
    }

    static func folder(of path: String) -> [Substring] {
        Array(path.split(separator: "/").dropLast())
    }

    /// `..\`-style path from `folder` to `target`, compared case-insensitively (package paths are Windows paths).
    static func relativeWindowsPath(from folder: [Substring], to target: String) -> String {
        let parts = target.split(separator: "/")
        var common = 0
        while common < folder.count, common < parts.count - 1, folder[common].lowercased() == parts[common].lowercased() { common += 1 }
        let ups = Array(repeating: "..", count: folder.count - common)
        return (ups + parts[common...].map(String.init)).joined(separator: "\\")
    }
}
