import FileSupport
import Foundation

/// Where a secret comes from. A plan or journal stores only the reference, never the value; the value is
/// resolved when a step runs.
public enum SecretReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `env:NAME` — an environment variable.
    case environment(String)
    /// `file:PATH` — the first line of a file (trailing newline dropped).
    case file(String)
    /// `prompt` — ask on the terminal when the step runs.
    case prompt(String)

    /// Parses `env:NAME`, `file:PATH` or `prompt`. Anything else is refused: a clear-text secret in a
    /// parameters file would end up in backups and tickets.
    public init(parsing text: String, field: String) throws(PlanningError) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else if text == "prompt" {
            self = .prompt(field)
        } else {
            throw .invalidParameters(file: "", field: field,
                                     problem: "secrets must be references: 'env:NAME', 'file:PATH' or 'prompt' (clear text is refused)")
        }
    }

    public var description: String {
        switch self {
        case let .environment(name): return "env:\(name)"
        case let .file(path): return "file:\(path)"
        case .prompt: return "prompt"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try SecretReference(parsing: text, field: "secret") } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Resolves the value now. `environment` and `prompt` are injectable for tests.
    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        prompt: (String) -> String? = { label in SecretReference.readHidden(label) }
    ) throws(PlanningError) -> String {
        switch self {
        case let .environment(name):
            guard let value = environment[name], !value.isEmpty else {
                throw .secretUnavailable(reference: description, reason: "the environment variable \(name) is not set")
            }
            return value
        case let .file(path):
            // Through TextFile: a key saved by Notepad starts with a byte-order mark that trimming keeps.
            let text: String
            do { text = try TextFile.read(atPath: path) } catch {
                throw .secretUnavailable(reference: description, reason: "cannot read \(path): \(error.reason)")
            }
            let value = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard !value.isEmpty else { throw .secretUnavailable(reference: description, reason: "\(path) is empty") }
            return value
        case let .prompt(label):
            guard let value = prompt(label), !value.isEmpty else {
                throw .secretUnavailable(reference: description, reason: "no value was entered (is there a terminal?)")
            }
            return value
        }
    }

    /// Reads a line from the terminal without echo; nil without a terminal.
    public static func readHidden(_ label: String) -> String? {
        guard isatty(STDIN_FILENO) != 0 else { return nil }
        return label.withCString { prompt in getpass(prompt).map { String(cString: $0) } }
    }
}
