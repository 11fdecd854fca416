import Yams

/// The one entry to YAML for every file the tool reads (matrix, catalogue, inventory, parameters), with the
/// limits that keep a small hostile file from costing unbounded memory or time:
/// - the text is at most ``maxBytes`` (a 20 MB scalar cost 670 MiB to parse);
/// - no scalar is longer than ``maxScalarBytes``;
/// - aliases may not expand the document: composing shares an aliased node instead of copying it, but
///   every reader walks the tree, and a 1 KB "billion laughs" file walks as 10⁹ nodes. The walk here
///   counts nodes as they would be read and stops once the count passes the size of the text (an
///   alias-free document has fewer nodes than bytes), before any reader sees the tree.
public enum YAMLDocument {
    /// The largest YAML file read (inventories of thousands of hosts stay far below it).
    public static let maxBytes = 4 << 20
    /// The longest scalar accepted: names, versions, paths and notes, never megabytes.
    public static let maxScalarBytes = 64 << 10

    /// Parses `text` and returns it as plain values (`[String: Any]`, `[Any]`, `String`, `Int`, `Bool`, ...),
    /// within the limits above. `file` names the file in errors.
    public static func load(_ text: String, file: String) throws(MatrixError) -> Any? {
        try compose(text, file: file)?.any
    }

    /// Parses `text` into a node tree within the limits above; nil for an empty document.
    static func compose(_ text: String, file: String) throws(MatrixError) -> Node? {
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw .unreadable(file: file, reason: "\(size) bytes is larger than the \(maxBytes >> 20) MiB allowed for a YAML file")
        }
        // Yams keeps a byte order mark as text before the first key; Windows editors write one.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let root: Node?
        do {
            root = try Yams.compose(yaml: body)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw .unreadable(file: file, reason: "\(error)")
        }
        guard let root else { return nil }
        var budget = size + 16
        try check(root, file: file, budget: &budget)
        return root
    }

    /// Walks `node` depth-first, counting nodes against `budget` and measuring scalars.
    private static func check(_ node: Node, file: String, budget: inout Int) throws(MatrixError) {
        budget -= 1
        guard budget >= 0 else {
            // No line: where the count runs out is inside some copy of an anchored node, not a useful place.
            throw .unreadable(file: file, reason: "aliases (*name) expand the document beyond its size (an alias bomb?); write the values out instead")
        }
        switch node {
        case let .scalar(scalar):
            let length = scalar.string.utf8.count
            if length > maxScalarBytes {
                throw .invalidValue(file: file, line: node.mark?.line ?? 0, field: "(value)",
                                    expected: "text of at most \(maxScalarBytes >> 10) KiB", found: "\(length) bytes")
            }
        case let .mapping(mapping):
            for (key, value) in mapping {
                // A key that is itself a mapping or list (`? a: b`) means nothing in any file the tool reads, and
                // Yams traps turning one into a Swift value (found by scripts/fuzz.sh, parameters target).
                guard case .scalar = key else {
                    throw .invalidValue(file: file, line: key.mark?.line ?? node.mark?.line ?? 0, field: "(key)",
                                        expected: "a plain key such as 'name:'", found: "a mapping or list used as a key")
                }
                try check(key, file: file, budget: &budget)
                try check(value, file: file, budget: &budget)
            }
        case let .sequence(sequence):
            for element in sequence { try check(element, file: file, budget: &budget) }
        case .alias:
            // Yams resolves aliases while composing; an unresolved one is read as an error by the readers.
            break
        }
    }

    static func syntaxError(_ error: YamlError, file: String) -> MatrixError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .syntax(file: file, line: mark.line, column: mark.column, reason: problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(
                file: file, line: context.mark.line, column: context.mark.column,
                reason: "duplicate key(s) \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in one mapping")
        default:
            return .syntax(file: file, line: 1, column: 1, reason: "\(error)")
        }
    }
}
