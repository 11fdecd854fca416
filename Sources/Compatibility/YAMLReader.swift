import Diagnostics
import Versioning
import Yams

/// A YAML node with the file it came from and its dotted field path, so every error can name both.
struct Cursor {
    let node: Node
    let file: String
    let field: String

    /// 1-based line of the node (Yams marks are 1-based); 0 if Yams gave none.
    var line: Int { node.mark?.line ?? 0 }

    func child(_ key: String, _ node: Node) -> Cursor {
        Cursor(node: node, file: file, field: field.isEmpty ? key : "\(field).\(key)")
    }

    func element(_ index: Int, _ node: Node) -> Cursor {
        Cursor(node: node, file: file, field: "\(field)[\(index)]")
    }

    /// The scalar text as written, or a short description of what is there instead.
    var foundText: String {
        switch node {
        case let .scalar(scalar): return scalar.string
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// Reads typed values from YAML nodes, collecting every problem instead of stopping at the first, so that
/// `matrix lint` can report all of them in one run.
///
/// A class because the readers for each file share one list of diagnostics; it never leaves the loader.
final class YAMLReader {
    private(set) var diagnostics: [Diagnostic] = []

    func error(_ problem: MatrixError) { diagnostics.append(problem.diagnostic(.error)) }
    func warning(_ problem: MatrixError) { diagnostics.append(problem.diagnostic(.warning)) }

    /// Parses a whole file through ``YAMLDocument`` (its size and alias limits); YAML syntax errors become
    /// diagnostics with the parser's line and column.
    func document(text: String, file: String) -> Cursor? {
        do throws(MatrixError) {
            guard let root = try YAMLDocument.compose(text, file: file) else {
                error(.invalidValue(file: file, line: 1, field: "(document)", expected: "a mapping", found: "an empty file"))
                return nil
            }
            return Cursor(node: root, file: file, field: "")
        } catch {
            self.error(error)
        }
        return nil
    }

    /// The mapping's entries by key, in written order. Reports unknown keys (with the allowed ones) and
    /// non-scalar keys; returns nil if the node is not a mapping.
    func mapping(_ cursor: Cursor, allowed: [String]?, expected: String = "a mapping") -> [(key: String, value: Cursor)]? {
        guard case let .mapping(mapping) = cursor.node else {
            error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field.isEmpty ? "(document)" : cursor.field, expected: expected, found: cursor.foundText))
            return nil
        }
        var entries: [(key: String, value: Cursor)] = []
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(key) = keyNode else {
                error(.invalidValue(file: cursor.file, line: keyNode.mark?.line ?? cursor.line, field: cursor.field, expected: "plain keys", found: "a complex key"))
                continue
            }
            let child = cursor.child(key.string, valueNode)
            if let allowed, !allowed.contains(key.string) {
                error(.unknownField(file: cursor.file, line: keyNode.mark?.line ?? cursor.line, field: child.field, allowed: allowed))
                continue
            }
            entries.append((key.string, child))
        }
        return entries
    }

    /// Looks a key up in entries from ``mapping(_:allowed:expected:)``; reports it missing when required.
    func field(_ entries: [(key: String, value: Cursor)], _ key: String, in parent: Cursor, required: String?) -> Cursor? {
        if let found = entries.first(where: { $0.key == key }) {
            if let required, found.value.node.null != nil {
                error(.missingField(file: parent.file, line: found.value.line, field: found.value.field, expected: required))
                return nil
            }
            return found.value
        }
        if let required {
            let field = parent.field.isEmpty ? key : "\(parent.field).\(key)"
            error(.missingField(file: parent.file, line: parent.line, field: field, expected: required))
        }
        return nil
    }

    /// A scalar's text. YAML nulls (`~`, `null`, empty) count as absent.
    func string(_ cursor: Cursor?, expected: String = "text") -> String? {
        guard let cursor else { return nil }
        guard case let .scalar(scalar) = cursor.node else {
            error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: expected, found: cursor.foundText))
            return nil
        }
        if cursor.node.null != nil { return nil }
        return scalar.string
    }

    /// A NuGet version. Read from the scalar's text, so `0.10` stays `0.10` rather than becoming a float.
    func version(_ cursor: Cursor?) -> NuGetVersion? {
        guard let cursor, let text = string(cursor, expected: "a version such as \"1.1.0\"") else { return nil }
        do {
            return try NuGetVersion(parsing: text)
        } catch {
            self.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "a NuGet version such as \"1.1.0\" (\(error.reasonText))", found: text))
            return nil
        }
    }

    func bool(_ cursor: Cursor?) -> Bool? {
        guard let cursor, let text = string(cursor, expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "true or false", found: text))
            return nil
        }
    }

    /// A list's elements; a non-list is reported and read as empty.
    func sequence(_ cursor: Cursor?) -> [Cursor] {
        guard let cursor else { return [] }
        guard case let .sequence(sequence) = cursor.node else {
            error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "a list", found: cursor.foundText))
            return []
        }
        return sequence.enumerated().map { cursor.element($0.offset, $0.element) }
    }

    /// `{ min: "x", max_exclusive: "y" }`: at least one bound, min below max. Returns `[min, max)`.
    func range(_ cursor: Cursor?, requireMin: Bool) -> VersionRange? {
        guard let cursor, let entries = mapping(cursor, allowed: ["min", "max_exclusive"], expected: "a mapping { min: \"x\", max_exclusive: \"y\" }") else { return nil }
        let minCursor = field(entries, "min", in: cursor, required: requireMin ? "an inclusive minimum version" : nil)
        let maxCursor = field(entries, "max_exclusive", in: cursor, required: nil)
        let min = version(minCursor)
        let max = version(maxCursor)
        if (minCursor != nil && min == nil) || (maxCursor != nil && max == nil) || (requireMin && min == nil) { return nil }
        if min == nil && max == nil {
            error(.missingField(file: cursor.file, line: cursor.line, field: "\(cursor.field).min", expected: "'min' and/or 'max_exclusive'"))
            return nil
        }
        if let min, let max, min >= max {
            error(.inconsistent(file: cursor.file, line: cursor.line, field: cursor.field, problem: "min \(min) must be below max_exclusive \(max)"))
            return nil
        }
        return VersionRange(min: min, minInclusive: true, max: max, maxInclusive: false)
    }

    /// A list of scalars.
    func strings(_ cursor: Cursor?) -> [String] {
        sequence(cursor).compactMap { string($0) }
    }

    /// The `provenance` mapping: `source` plus at least a commit or a date.
    func provenance(_ cursor: Cursor?, parent: Cursor) -> Provenance? {
        guard let cursor else {
            error(.missingField(file: parent.file, line: parent.line, field: parent.field.isEmpty ? "provenance" : "\(parent.field).provenance", expected: "a provenance mapping with source and commit or date"))
            return nil
        }
        let keys = ["source", "file", "commit", "date", "removed", "history", "corrected", "on_head", "note"]
        guard let entries = mapping(cursor, allowed: keys) else { return nil }
        guard let source = string(field(entries, "source", in: cursor, required: "the source repository or document")) else { return nil }
        let commit = string(field(entries, "commit", in: cursor, required: nil))
        let dateCursor = field(entries, "date", in: cursor, required: nil)
        let date = string(dateCursor)
        if commit == nil && date == nil {
            error(.missingField(file: cursor.file, line: cursor.line, field: "\(cursor.field).commit", expected: "a commit or a date (or both)"))
        }
        if let date, let dateCursor, !Self.isDate(date) {
            error(.invalidValue(file: cursor.file, line: dateCursor.line, field: dateCursor.field, expected: "a date YYYY-MM-DD or YYYY-MM", found: date))
        }
        return Provenance(
            source: source, file: string(field(entries, "file", in: cursor, required: nil)), commit: commit, date: date,
            removed: string(field(entries, "removed", in: cursor, required: nil)),
            history: string(field(entries, "history", in: cursor, required: nil)),
            corrected: string(field(entries, "corrected", in: cursor, required: nil)),
            onHead: bool(field(entries, "on_head", in: cursor, required: nil)) ?? false,
            note: string(field(entries, "note", in: cursor, required: nil)))
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].count == 4, parts.dropFirst().allSatisfy({ $0.count == 2 }) else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }
}
