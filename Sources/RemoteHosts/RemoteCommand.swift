/// A program and its arguments to run on a CCM host, with the secrets among the arguments kept apart: the
/// script sent over SSH refers to them, and their values travel only on the session's standard input — never
/// in `ssh`'s argument vector, a log line or a journal.
public struct RemoteCommand: Sendable, Hashable {
    /// One piece of an argument: plain text or the secret with that index in `secrets`.
    public enum Part: Sendable, Hashable {
        case text(String)
        case secret(Int)
    }

    /// One argument: the concatenation of its parts.
    public struct Argument: Sendable, Hashable {
        public var parts: [Part]

        public init(_ parts: [Part]) { self.parts = parts }
    }

    /// `choco`, or a path on the host (`C:\ProgramData\chocolatey\bin\choco.exe`).
    public var program: String
    public var arguments: [Argument]
    /// The secret values the arguments refer to.
    public var secrets: [String]

    /// `arguments` as they would be typed, with every occurrence of a value in `secrets` cut out into a
    /// reference (`PlanRunner` resolves a step's arguments and hands over the secrets it resolved).
    /// - Throws: when an argument or secret holds a character that cannot cross the channel intact: NUL (the
    ///   separator of the standard-input payload) or, in a secret, a line break (PowerShell reads its input by lines).
    public init(program: String, arguments: [String], secrets: [String] = []) throws(RemoteCommandError) {
        let secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
        for secret in secrets where secret.contains(where: { $0 == "\0" || $0.isNewline }) {
            throw .unsupportedCharacter(in: "a secret value", character: "a line break or NUL")
        }
        for text in [program] + arguments where text.contains("\0") {
            throw .unsupportedCharacter(in: "the command '\(Self.masked(text, secrets: secrets))'", character: "NUL")
        }
        self.program = program
        self.secrets = secrets
        self.arguments = arguments.map { Self.split($0, secrets: secrets) }
    }

    /// The arguments with the secret values in place: what a local child gets in its argument vector (choco
    /// takes `--package-parameters-sensitive` there and nowhere else).
    public var resolvedArguments: [String] {
        arguments.map { argument in
            argument.parts.map { part in
                switch part {
                case .text(let text): text
                case .secret(let index): secrets[index]
                }
            }.joined()
        }
    }

    /// The command as shown to people and logged: each secret as `********`.
    public var masked: String {
        ([program] + arguments.map { argument in
            argument.parts.map { part in
                switch part {
                case .text(let text): text
                case .secret: "********"
                }
            }.joined()
        }).joined(separator: " ")
    }

    private static func split(_ text: String, secrets: [String]) -> Argument {
        var parts: [Part] = []
        var rest = Substring(text)
        var plain = ""
        while !rest.isEmpty {
            // Longest secret first (the list is sorted so), so a secret that contains another is cut whole.
            if let index = secrets.firstIndex(where: { rest.hasPrefix($0) }) {
                if !plain.isEmpty { parts.append(.text(plain)) }
                plain = ""
                parts.append(.secret(index))
                rest = rest.dropFirst(secrets[index].count)
            } else {
                plain.append(rest.removeFirst())
            }
        }
        if !plain.isEmpty || parts.isEmpty { parts.append(.text(plain)) }
        return Argument(parts)
    }

    private static func masked(_ text: String, secrets: [String]) -> String {
        split(text, secrets: secrets).parts.map {
            if case .text(let text) = $0 { text } else { "********" }
        }.joined()
    }
}

/// A command that cannot be sent as asked.
public enum RemoteCommandError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedCharacter(in: String, character: String)
    /// cmd.exe refuses a command line longer than 8191 characters (Microsoft KB 830473).
    case commandLineTooLong(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .unsupportedCharacter(let place, let character): "\(place) contains \(character), which cannot be sent to a remote host"
        case .commandLineTooLong(let length, let limit):
            "the remote command line would be \(length) characters; cmd.exe, the default shell of Windows OpenSSH, takes at most \(limit)"
        }
    }
}
