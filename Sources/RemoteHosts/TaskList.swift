import Foundation

/// Windows' `tasklist`, asked for the processes of one image: `tasklist /FI "IMAGENAME eq choco.exe" /FO CSV /NH`
/// prints one fully quoted CSV line per process — image name, PID, session name, session number, memory use
/// ("12,345 K": the field may hold a comma) — and, when none matches, an `INFO:` line instead [Microsoft docs,
/// "tasklist", https://learn.microsoft.com/windows-server/administration/windows-commands/tasklist: /fo csv, /nh,
/// the IMAGENAME filter]. A built-in program of every Windows Server, run like choco: no PowerShell script needed.
public enum TaskList {
    /// The arguments that list the processes of `image` (e.g. `choco.exe`) as CSV without a header.
    public static func arguments(image: String) -> [String] { ["/FI", "IMAGENAME eq \(image)", "/FO", "CSV", "/NH"] }

    /// The process ids of `image` (compared ignoring case, as Windows does) in `output`; other lines (the
    /// `INFO:` line, blank lines, CRLF endings) are skipped.
    public static func processIDs(in output: String, image: String) -> [Int32] {
        var found: [Int32] = []
        for rawLine in output.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            // Every field is quoted, so `","` separates fields; the memory field's comma sits inside quotes.
            guard line.count >= 2, line.hasPrefix("\""), line.hasSuffix("\"") else { continue }
            let fields = line.dropFirst().dropLast().components(separatedBy: "\",\"")
            guard fields.count >= 2, fields[0].lowercased() == image.lowercased(), let pid = Int32(fields[1]) else { continue }
            found.append(pid)
        }
        return found
    }
}
