/// One problem found in an input — a matrix file, a script, a deployment, a plan — or raised by a command:
/// how serious, which rule, where, what is wrong, and what to do. Every checker in the tool reports these,
/// and ``DiagnosticPrinter`` prints them, so `matrix lint`, `lint-script`, `deployment lint` and the plan
/// preflight look and parse alike.
public struct Diagnostic: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// `error` fails the command (exit 1, or 2 for unusable input); `warning` needs attention; `note` informs.
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        case error, warning, note

        /// Errors first (0), then warnings, then notes: for sorting.
        public var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .note: 2
            }
        }
    }

    /// Where a problem is: a file, and in it a line (text inputs) or a step (plans and deployments).
    public struct Location: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
        /// The path as the user gave it (`-` for standard input).
        public var file: String
        /// 1-based line; nil when the problem concerns the whole file.
        public var line: Int?
        /// 1-based step of a plan or deployment; nil when the problem concerns the whole document.
        public var step: Int?

        public init(file: String, line: Int? = nil, step: Int? = nil) {
            self.file = file
            self.line = line.flatMap { $0 > 0 ? $0 : nil }
            self.step = step
        }

        /// `file:12`, `file:step 3` or `file`, as compilers and the CCM docs' step numbers read.
        public var description: String {
            if let line { return "\(file):\(line)" }
            if let step { return "\(file):step \(step)" }
            return file
        }

        public static func < (lhs: Location, rhs: Location) -> Bool {
            (lhs.file, lhs.line ?? 0, lhs.step ?? 0) < (rhs.file, rhs.line ?? 0, rhs.step ?? 0)
        }
    }

    public var severity: Severity
    /// A stable rule id for filtering in CI (`script.chained-choco`, `format.unknown-field`); nil for
    /// problems that are not a rule of a checker (an unreadable file).
    public var rule: String?
    public var location: Location?
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it, when the message alone does not say.
    public var hint: String?

    public init(_ severity: Severity, rule: String? = nil, at location: Location? = nil, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.rule = rule
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// Shorthands for the common shapes.
    public static func error(_ message: String, rule: String? = nil, at location: Location? = nil, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, rule: rule, at: location, message, hint: hint)
    }

    public static func warning(_ message: String, rule: String? = nil, at location: Location? = nil, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, rule: rule, at: location, message, hint: hint)
    }

    /// The file of the location, or "" (for sorting and for callers that group by file).
    public var file: String { location?.file ?? "" }
    /// The line of the location, if any.
    public var line: Int? { location?.line }
    /// The step of the location, if any.
    public var step: Int? { location?.step }

    /// Compiler style, one line: `file:line: error: message [rule] (hint)`.
    public var description: String {
        var text = location.map { "\($0): " } ?? ""
        text += "\(severity.rawValue): \(message)"
        if let rule { text += " [\(rule)]" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// By location, then errors first, rule and message: the same output on every run.
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        let left = lhs.location ?? Location(file: ""), right = rhs.location ?? Location(file: "")
        if left != right { return left < right }
        return (lhs.severity.rank, lhs.rule ?? "", lhs.message) < (rhs.severity.rank, rhs.rule ?? "", rhs.message)
    }

    // One flat JSON shape for every command: {"file", "line", "step", "severity", "rule", "message", "hint"},
    // absent keys left out.
    private enum CodingKeys: String, CodingKey { case file, line, step, severity, rule, message, hint }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        severity = try container.decode(Severity.self, forKey: .severity)
        rule = try container.decodeIfPresent(String.self, forKey: .rule)
        message = try container.decode(String.self, forKey: .message)
        hint = try container.decodeIfPresent(String.self, forKey: .hint)
        if let file = try container.decodeIfPresent(String.self, forKey: .file) {
            location = Location(file: file, line: try container.decodeIfPresent(Int.self, forKey: .line),
                                step: try container.decodeIfPresent(Int.self, forKey: .step))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encodeIfPresent(rule, forKey: .rule)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(hint, forKey: .hint)
        try container.encodeIfPresent(location?.file, forKey: .file)
        try container.encodeIfPresent(location?.line, forKey: .line)
        try container.encodeIfPresent(location?.step, forKey: .step)
    }
}

extension Array where Element == Diagnostic {
    /// How many diagnostics have `severity`.
    public func count(_ severity: Diagnostic.Severity) -> Int { filter { $0.severity == severity }.count }
    /// True when any is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
