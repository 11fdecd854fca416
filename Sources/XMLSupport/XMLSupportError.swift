/// Why an XML document was refused.
public enum XMLSupportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document declares a DOCTYPE (internal or external DTD). Refused so that no entity can be
    /// expanded and nothing is fetched, as .NET's `DtdProcessing.Prohibit` does for nuspec files.
    case doctypeNotAllowed(source: String)
    /// libxml2 could not parse the document; `message` is libxml2's own text.
    case malformed(source: String, line: Int, message: String)
    /// The document is larger than the limit the caller set.
    case tooLarge(source: String, size: Int, limit: Int)
    /// The document nests deeper than the caller's limit.
    case tooDeep(source: String, limit: Int)

    /// The reason without the source's name, for callers that name the file themselves (`line 2: malformed
    /// XML: …`; no line when libxml2 gave none, as for an empty document).
    public var reason: String {
        switch self {
        case let .malformed(_, line, message): return (line > 0 ? "line \(line): " : "") + "malformed XML: \(message)"
        case .doctypeNotAllowed: return "a DOCTYPE is not allowed (DTDs and entities are refused for security)"
        case let .tooLarge(_, size, limit): return "the XML document is \(size) bytes, above the limit of \(limit) bytes"
        case let .tooDeep(_, limit): return "the XML document nests deeper than \(limit) levels"
        }
    }

    public var description: String {
        switch self {
        case let .doctypeNotAllowed(source):
            return "\(source): a DOCTYPE is not allowed (DTDs and entities are refused for security)"
        case let .malformed(source, line, message):
            return "\(source):\(line): malformed XML: \(message)"
        case let .tooLarge(source, size, limit):
            return "\(source): the XML document is \(size) bytes, above the limit of \(limit) bytes"
        case let .tooDeep(source, limit):
            return "\(source): the XML document nests deeper than \(limit) levels"
        }
    }
}
