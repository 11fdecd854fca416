import Foundation

/// Keeps secrets out of everything the tool prints or stores. Two layers:
/// - secret *values* the tool knows (API keys, passwords, the licence id), registered when they are read,
///   are replaced wherever they appear — ``DiagnosticPrinter`` applies this to every line it writes, so a
///   server that echoes a request header back cannot put a key on stderr;
/// - secret *shapes* (`/Password:…`, `Password=…;` in a connection string, `--password …`, `--api-key …`,
///   `X-NuGet-ApiKey: …`, `Authorization: …`, `user:password@` in a URL) are masked by ``mask(_:)`` in text
///   that quotes someone else's input or output (lint messages, server error bodies).
public enum Redaction {
    /// What a secret is replaced with.
    public static let placeholder = "********"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var values: [String] = []

    /// Remembers `value` as secret for the rest of the process (values shorter than 4 characters are
    /// ignored: masking "no" or "1" everywhere would garble output and protect nothing).
    public static func register(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 4 else { return }
        lock.lock()
        defer { lock.unlock() }
        if !values.contains(trimmed) { values.append(trimmed) }
        // Longest first, so a secret that contains another is replaced whole.
        values.sort { $0.count > $1.count }
    }

    /// `text` with every registered secret value replaced.
    public static func redactKnown(_ text: String) -> String {
        lock.lock()
        let known = values
        lock.unlock()
        guard !known.isEmpty else { return text }
        var out = text
        for value in known where out.contains(value) { out = out.replacingOccurrences(of: value, with: placeholder) }
        return out
    }

    // Key, then the value: quoted, or up to whitespace, `;`, a quote, `|`, `,` or `&`.
    private static let shapes: NSRegularExpression = {
        let keys = [
            #"/(?:password|pwd|apikey|api-key|licenseid|licence-id|license-id)[:=]"#,
            #"(?:--password|--api-key|--apikey|--key|--cp|--certpassword|--license-id)(?:=|\s+)"#,
            #"\b(?:x-nuget-apikey|authorization|proxy-authorization)\s*:\s*(?:basic\s+|bearer\s+)?"#,
        ]
        let pattern = "(?i)(" + keys.joined(separator: "|") + #")("[^"]*"|'[^']*'|[^\s;'"|,&<]+)"#
        return try! NSRegularExpression(pattern: pattern) // a constant pattern: tested
    }()

    // Connection-string style `Password=…;`: the value may hold spaces and runs to `;`, a quote or the line end.
    private static let assignments = try! NSRegularExpression(
        pattern: #"(?i)(\b(?:password|pwd|apikey|api_key|secret)\s*=\s*)("[^"]*"|'[^']*'|[^;'"\r\n]+)"#)

    private static let urlCredentials = try! NSRegularExpression(pattern: #"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@]+):([^/\s@]+)@"#)

    /// `text` with secret-shaped values and known secrets masked (for quoting scripts, command lines, URLs
    /// and server answers).
    public static func mask(_ text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        var out = shapes.stringByReplacingMatches(in: text, range: range, withTemplate: "$1" + placeholder)
        out = assignments.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1" + placeholder)
        out = urlCredentials.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "$1$2:" + placeholder + "@")
        return redactKnown(out)
    }
}
