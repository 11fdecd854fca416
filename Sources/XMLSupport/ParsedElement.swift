/// An element of a parsed XML document, copied out of libxml2 into a plain value.
///
/// Text content of CDATA sections is merged into ``text``; comments and processing instructions are dropped.
public struct ParsedElement: Sendable, Hashable {
    /// One attribute with its namespace (nil when unqualified).
    public struct Attribute: Sendable, Hashable {
        public let localName: String
        public let namespaceURI: String?
        public let value: String
    }

    /// The name without prefix, e.g. `metadata`.
    public let localName: String
    /// The namespace URI, or nil when the element is in no namespace.
    public let namespaceURI: String?
    public let attributes: [Attribute]
    /// Child elements in document order.
    public let children: [ParsedElement]
    /// The concatenated text of this element's own text and CDATA children (not of descendants).
    public let text: String
    /// The line the element starts on, for error messages.
    public let line: Int

    public init(
        localName: String, namespaceURI: String? = nil, attributes: [Attribute] = [], children: [ParsedElement] = [],
        text: String = "", line: Int = 0
    ) {
        self.localName = localName
        self.namespaceURI = namespaceURI
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The value of the unqualified attribute `name` (or the one in `namespace`).
    public func attribute(_ name: String, namespace: String? = nil) -> String? {
        attributes.first { $0.localName == name && $0.namespaceURI == namespace }?.value
    }

    /// The value of an attribute matched by local name only, whatever its namespace.
    public func attribute(anyNamespace name: String) -> String? {
        attributes.first { $0.localName == name }?.value
    }

    /// The first child element with this local name in `namespace` (any namespace when `namespace` is nil).
    public func child(_ name: String, namespace: String? = nil) -> ParsedElement? {
        children.first { $0.localName == name && (namespace == nil || $0.namespaceURI == namespace) }
    }

    /// All child elements with this local name in `namespace` (any namespace when `namespace` is nil).
    public func children(_ name: String, namespace: String? = nil) -> [ParsedElement] {
        children.filter { $0.localName == name && (namespace == nil || $0.namespaceURI == namespace) }
    }

    /// The text of the whole subtree, as `xmlNodeGetContent` would give it.
    public var deepText: String {
        children.isEmpty ? text : text + children.map(\.deepText).joined()
    }

    /// The text with leading and trailing whitespace removed.
    public var trimmedText: String {
        // Most values have printable ASCII at both ends: no scalar walk (hot when reading folders of packages).
        if let first = text.utf8.first, let last = text.utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return text
        }
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
