/// A value the static evaluator knows — or knows it cannot know, and why.
public indirect enum Value: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([Value])
    case hashtable(HashtableValue)
    case scriptBlock
    /// Not known before the script runs; the reason says why, in words a maintainer understands.
    case unknown(String)
    /// One of several values, each written at its own place, depending on a condition (a hashtable entry set
    /// differently in the branches of an `if` or a `try`/`catch`). Not one known value: operations treat it as
    /// unknown with `reason`; a finder may take every alternative.
    case alternatives([Alternative], reason: String)

    /// The string PowerShell would make of the value, or the reason it is unknown.
    public var text: Result<String, Unknown> {
        switch self {
        case .string(let string): return .success(string)
        case .number(let number): return .success(Self.format(number))
        case .bool(let flag): return .success(flag ? "True" : "False")
        case .null: return .success("")
        case .array(let values):
            var pieces: [String] = []
            for value in values {
                switch value.text {
                case .success(let piece): pieces.append(piece)
                case .failure(let reason): return .failure(reason)
                }
            }
            return .success(pieces.joined(separator: " "))
        case .hashtable: return .success("System.Collections.Hashtable")
        case .scriptBlock: return .failure(Unknown(reason: "a script block's text is not evaluated"))
        case .unknown(let reason), .alternatives(_, let reason): return .failure(Unknown(reason: reason))
        }
    }

    /// The string value when known.
    public var stringValue: String? { try? text.get() }

    /// The reason, when the value is unknown.
    public var unknownReason: String? {
        switch self {
        case .unknown(let reason), .alternatives(_, let reason): reason
        default: nil
        }
    }

    public var isKnown: Bool { unknownReason == nil }

    static func format(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }
}

/// One value of ``Value/alternatives(_:reason:)`` and the expression it was written as.
public struct Alternative: Sendable, Hashable {
    public var value: Value
    public var site: SourceSpan?

    public init(value: Value, site: SourceSpan?) {
        self.value = value
        self.site = site
    }
}

/// Why a value is not known.
public struct Unknown: Error, Sendable, Hashable {
    public var reason: String
}

/// A hashtable: keys in the order written (PowerShell looks them up case-insensitively), each value with the
/// place it was written (``site``), and the literal's closing brace when it came from one.
public struct HashtableValue: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: Value
        /// The expression that gave the value (a literal's entry, or the right side of `$h.Key = …`).
        public var site: SourceSpan?
    }

    public var entries: [Entry]
    /// The `}` of the literal the hashtable was built from: where an entry can be added.
    public var closingBrace: SourceSpan?

    public init(entries: [Entry] = [], closingBrace: SourceSpan? = nil) {
        self.entries = entries
        self.closingBrace = closingBrace
    }

    public subscript(key: String) -> Entry? {
        let folded = key.lowercased()
        return entries.first { $0.key.lowercased() == folded }
    }

    public mutating func set(_ key: String, _ value: Value, site: SourceSpan?) {
        let folded = key.lowercased()
        if let index = entries.firstIndex(where: { $0.key.lowercased() == folded }) {
            entries[index].value = value
            entries[index].site = site
        } else {
            entries.append(Entry(key: key, value: value, site: site))
        }
    }

    public mutating func remove(_ key: String) {
        let folded = key.lowercased()
        entries.removeAll { $0.key.lowercased() == folded }
    }
}

/// .NET composite formatting as `-f` does it, for the forms package scripts use: `{0}`, `{1}`, `{{`, `}}`.
/// Alignment and format specifiers are not evaluated (nil).
enum CompositeFormat {
    static func format(_ template: String, _ arguments: [Value]) -> Result<String, Unknown> {
        var output = ""
        var characters = Array(template)[...]
        while let character = characters.popFirst() {
            if character == "{" {
                if characters.first == "{" {
                    characters.removeFirst()
                    output.append("{")
                    continue
                }
                var spec = ""
                while let next = characters.popFirst(), next != "}" { spec.append(next) }
                guard let index = Int(spec.trimmingSpaces) else {
                    return .failure(Unknown(reason: "the -f format item '{\(spec)}' is not evaluated"))
                }
                guard index >= 0, index < arguments.count else {
                    return .failure(Unknown(reason: "the -f format item {\(index)} has no argument"))
                }
                switch arguments[index].text {
                case .success(let text): output += text
                case .failure(let reason): return .failure(reason)
                }
            } else if character == "}" {
                if characters.first == "}" { characters.removeFirst() }
                output.append("}")
            } else {
                output.append(character)
            }
        }
        return .success(output)
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
