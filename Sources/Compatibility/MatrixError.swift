import Diagnostics

/// One problem in a matrix file, with where it is and what was expected.
///
/// `file` is the path as given (for the embedded copy, `matrix/<name>.yaml`); `line` is 1-based, or 0 when
/// the problem concerns a whole file. `field` is a dotted path such as `rows[3].requires.chocolatey.min`.
public enum MatrixError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// A file the matrix needs is not there.
    case missingFile(file: String, expected: String)
    /// The YAML itself is malformed (reported by the YAML parser).
    case syntax(file: String, line: Int, column: Int, reason: String)
    /// A required field is absent.
    case missingField(file: String, line: Int, field: String, expected: String)
    /// A field is present but its value is not what the schema allows.
    case invalidValue(file: String, line: Int, field: String, expected: String, found: String)
    /// A field the schema does not know, most often a typo.
    case unknownField(file: String, line: Int, field: String, allowed: [String])
    /// A package id that `packages.yaml` does not declare.
    case unknownPackage(file: String, line: Int, field: String, id: String)
    /// The values parse but contradict each other or another row (overlaps, gaps, minimums going backwards).
    case inconsistent(file: String, line: Int, field: String, problem: String)

    /// The file the problem is in.
    public var file: String {
        switch self {
        case let .unreadable(file, _), let .missingFile(file, _), let .syntax(file, _, _, _),
            let .missingField(file, _, _, _), let .invalidValue(file, _, _, _, _), let .unknownField(file, _, _, _),
            let .unknownPackage(file, _, _, _), let .inconsistent(file, _, _, _):
            return file
        }
    }

    /// The 1-based line, or 0 when the problem is about the whole file.
    public var line: Int {
        switch self {
        case .unreadable, .missingFile: return 0
        case let .syntax(_, line, _, _), let .missingField(_, line, _, _), let .invalidValue(_, line, _, _, _),
            let .unknownField(_, line, _, _), let .unknownPackage(_, line, _, _), let .inconsistent(_, line, _, _):
            return line
        }
    }

    /// The message without the location, e.g. `field 'rows[0].ccm': expected a version, found 'x'`.
    public var message: String {
        switch self {
        case let .unreadable(_, reason):
            return "cannot read: \(reason)"
        case let .missingFile(_, expected):
            return "the matrix needs this file (\(expected))"
        case let .syntax(_, _, column, reason):
            return "YAML syntax error at column \(column): \(reason)"
        case let .missingField(_, _, field, expected):
            return "field '\(field)' is missing; expected \(expected)"
        case let .invalidValue(_, _, field, expected, found):
            return "field '\(field)': expected \(expected), found '\(found)'"
        case let .unknownField(_, _, field, allowed):
            return "unknown field '\(field)'; allowed here: \(allowed.joined(separator: ", "))"
        case let .unknownPackage(_, _, field, id):
            return "field '\(field)': unknown package id '\(id)'; declare it in packages.yaml or fix the spelling"
        case let .inconsistent(_, _, field, problem):
            return "field '\(field)': \(problem)"
        }
    }

    /// `file:line: message` (the line is left out when it is 0).
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

extension MatrixError {
    /// The problem as the one ``Diagnostic`` type (`file:line: error: message`, as `matrix lint` prints it).
    public func diagnostic(_ severity: Diagnostic.Severity) -> Diagnostic {
        Diagnostic(severity, at: Diagnostic.Location(file: file, line: line), message)
    }
}

/// Thrown when a matrix cannot be used: every error found (warnings are left out), in file and line order.
public struct MatrixLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errors, in file and line order.
    public let diagnostics: [Diagnostic]

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Why a question about a CCM version cannot be answered from the matrix.
public enum CompatibilityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The version lies outside every row: newer than the newest row or older than the oldest.
    case unknownCCMVersion(version: String, known: String)
    /// The version is a known release that has no row because it is unsupported (e.g. the 2018 beta).
    case unlistedCCMVersion(version: String, problem: String)

    public var description: String {
        switch self {
        case let .unknownCCMVersion(version, known):
            return "CCM \(version) is unknown to this matrix (it knows \(known)); update matrix/ or pass --matrix PATH with a newer copy"
        case let .unlistedCCMVersion(version, problem):
            return "CCM \(version) has no compatibility row: \(problem)"
        }
    }
}
