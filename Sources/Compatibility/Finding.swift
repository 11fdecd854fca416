import Diagnostics

/// One result of a compatibility check: what is wrong (or worth knowing), which rule says so, and where
/// that rule comes from. A report item with the matrix's provenance; on stderr it is printed as the one
/// ``Diagnostic`` type (``diagnostic``).
public struct Finding: Sendable, Hashable, Codable, Comparable {
    /// `error` makes the estate incompatible; `warning` needs attention; `note` is information.
    public typealias Severity = Diagnostic.Severity

    /// How serious it is.
    public let severity: Severity
    /// A stable rule id for filtering in CI, e.g. `ccm.client-version`, `dependency.minimum`.
    public let rule: String
    /// What the finding is about, e.g. `chocolatey-management-web` or `servers: chocolatey-agent`.
    public let subject: String
    /// What is wrong and what to do, in one sentence.
    public let message: String
    /// The published source of the rule (document, commit, date).
    public let source: String?
    /// The matrix file and line holding the rule.
    public let matrixLocation: String?
    /// Set when the finding relies on data the docs never published.
    public let inferred: String?
    /// Context from the rule's row that changes how to read the finding (e.g. the 0.15.0+ semantics).
    public let note: String?

    public init(
        _ severity: Severity, rule: String, subject: String, message: String, source: String? = nil,
        matrixLocation: String? = nil, inferred: String? = nil, note: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.subject = subject
        self.message = message
        self.source = source
        self.matrixLocation = matrixLocation
        self.inferred = inferred
        self.note = note
    }

    /// The finding as a diagnostic: `subject: message [rule]`, located at the matrix rule, with the row's
    /// note or the inferred-data warning as the hint.
    public var diagnostic: Diagnostic {
        var location: Diagnostic.Location?
        if let matrixLocation {
            let parts = matrixLocation.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, let line = Int(parts[1]) {
                location = Diagnostic.Location(file: String(parts[0]), line: line)
            } else {
                location = Diagnostic.Location(file: matrixLocation)
            }
        }
        let hint = [note, inferred.map { "inferred: \($0)" }].compactMap { $0 }.joined(separator: "; ")
        return Diagnostic(severity, rule: rule, at: location, "\(subject): \(message)", hint: hint.isEmpty ? nil : hint)
    }

    /// Errors first, then by rule, subject and message, so output is the same on every run.
    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        (lhs.severity.rank, lhs.rule, lhs.subject, lhs.message) < (rhs.severity.rank, rhs.rule, rhs.subject, rhs.message)
    }
}

/// All findings of one check, sorted.
public struct CheckReport: Sendable, Hashable, Codable {
    /// Where the matrix came from (`embedded` or a folder).
    public let matrix: String
    /// The CCM versions the clients were checked against, lowest first.
    public let ccmVersions: [String]
    /// Sorted: errors first, then rule, subject, message.
    public let findings: [Finding]

    public init(matrix: String, ccmVersions: [String], findings: [Finding]) {
        self.matrix = matrix
        self.ccmVersions = ccmVersions
        self.findings = Array(Set(findings)).sorted()
    }

    /// True when no finding is an error.
    public var isCompatible: Bool { !findings.contains { $0.severity == .error } }

    /// How many findings have `severity`.
    public func count(_ severity: Finding.Severity) -> Int { findings.filter { $0.severity == severity }.count }
}
