internal import CXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif os(Windows)
import ucrt
#endif

/// Builds ``ParsedElement`` values from libxml2's SAX2 events, one document at a time.
///
/// libxml2 calls the C callbacks below with its parser context; the context's `_private` field points at
/// the builder's state for the duration of one parse (``SafeXMLParser/parseElements(_:source:depthLimit:)``).
/// The state sits behind a raw pointer rather than in class properties: the callbacks run once per tag
/// and text run, and class access paid retain/release and exclusivity checks on each.
struct XMLTreeBuilder {
    /// An element whose end tag has not been seen yet.
    private struct OpenElement {
        let localName: String
        let namespaceURI: String?
        let attributes: [ParsedElement.Attribute]
        let line: Int
        /// Where this element's children start in `finished`, and its text in `text`.
        let firstChild: Int
        let textStart: Int
    }

    private let source: String
    private let depthLimit: Int
    private var open: [OpenElement] = []
    /// Elements whose end tag was seen and whose parent is still open, in document order: an element takes
    /// its children from the end of this list when it closes (one exact-size array per parent).
    private var finished: [ParsedElement] = []
    /// Text of the open elements, innermost last: a closing element takes its own from the end.
    private var text: [UInt8] = []
    /// The document element, once its end tag is seen.
    private(set) var root: ParsedElement?
    /// Why the builder stopped the parser itself (a DTD, an entity reference, too deep), if it did.
    private(set) var refusal: XMLSupportError?
    /// The last namespace URI converted, by libxml2's pointer and bytes: every element of a nuspec shares
    /// one, and converting its 50 bytes once instead of per element shows in folder scans.
    private var lastNamespace: (pointer: UnsafePointer<xmlChar>, uri: String)?

    init(source: String, depthLimit: Int) {
        self.source = source
        self.depthLimit = depthLimit
        // Room for a typical nuspec, so the stacks are allocated once per document.
        open.reserveCapacity(8)
        finished.reserveCapacity(32)
        text.reserveCapacity(512)
    }

    /// Replaces the context's SAX handler with the builder's callbacks (comments, processing instructions
    /// and DTD events have none, so libxml2 drops them).
    static func install(on context: xmlParserCtxtPtr) {
        guard let handler = context.pointee.sax else { return }
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        sax.startElementNs = { context, localName, prefix, uri, _, _, attributeCount, _, attributes in
            XMLTreeBuilder.state(context).pointee.start(localName, prefix, uri, Int(attributeCount), attributes, context)
        }
        sax.endElementNs = { context, _, _, _ in XMLTreeBuilder.state(context).pointee.end() }
        sax.characters = { context, characters, length in XMLTreeBuilder.state(context).pointee.append(characters, Int(length)) }
        sax.ignorableWhitespace = sax.characters
        sax.cdataBlock = sax.characters
        // A DOCTYPE is refused before parsing; these make sure nothing from one is ever acted on.
        sax.internalSubset = { context, _, _, _ in XMLTreeBuilder.state(context).pointee.refuseDoctype(context) }
        sax.reference = { context, _ in XMLTreeBuilder.state(context).pointee.refuseDoctype(context) }
        handler.pointee = sax
    }

    /// Points the context at `builder` while `body` runs the parser.
    static func attach<Result>(_ builder: inout XMLTreeBuilder, to context: xmlParserCtxtPtr, _ body: () -> Result) -> Result {
        withUnsafeMutablePointer(to: &builder) { pointer in
            context.pointee._private = UnsafeMutableRawPointer(pointer)
            defer { context.pointee._private = nil }
            return body()
        }
    }

    private static func state(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<XMLTreeBuilder> {
        let parser = context!.assumingMemoryBound(to: xmlParserCtxt.self)
        return parser.pointee._private!.assumingMemoryBound(to: XMLTreeBuilder.self)
    }

    private mutating func refuseDoctype(_ context: UnsafeMutableRawPointer?) {
        refuse(.doctypeNotAllowed(source: source), context)
    }

    private mutating func refuse(_ error: XMLSupportError, _ context: UnsafeMutableRawPointer?) {
        guard refusal == nil else { return }
        refusal = error
        xmlStopParser(context!.assumingMemoryBound(to: xmlParserCtxt.self))
    }

    private mutating func start(
        _ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ attributeCount: Int,
        _ attributeFields: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, _ context: UnsafeMutableRawPointer?
    ) {
        guard refusal == nil else { return }
        guard open.count < depthLimit else {
            refuse(.tooDeep(source: source, limit: depthLimit), context)
            return
        }
        var attributes: [ParsedElement.Attribute] = []
        if attributeCount > 0, let fields = attributeFields {
            attributes.reserveCapacity(attributeCount)
            // Five pointers per attribute: local name, prefix, URI, value start, value end.
            for index in 0..<attributeCount {
                let base = index * 5
                let start = fields[base + 3]!, end = fields[base + 4]!
                let value = String(decoding: UnsafeBufferPointer(start: start, count: start.distance(to: end)), as: UTF8.self)
                attributes.append(.init(localName: Self.name(fields[base], prefix: fields[base + 1], uri: fields[base + 2]),
                                        namespaceURI: namespace(fields[base + 2]), value: Self.expandingAmpersands(value)))
            }
        }
        let parser = context!.assumingMemoryBound(to: xmlParserCtxt.self)
        let line = parser.pointee.input.map { Int($0.pointee.line) } ?? 0
        open.append(OpenElement(localName: Self.name(localName, prefix: prefix, uri: uri), namespaceURI: namespace(uri), attributes: attributes,
                                line: line, firstChild: finished.count, textStart: text.count))
    }

    private mutating func end() {
        guard refusal == nil, let element = open.popLast() else { return }
        var children: [ParsedElement] = []
        if element.firstChild < finished.count {
            children = Array(finished[element.firstChild...])
            finished.removeLast(finished.count - element.firstChild)
        }
        var ownText = ""
        if element.textStart < text.count {
            ownText = String(decoding: text[element.textStart...], as: UTF8.self)
            text.removeLast(text.count - element.textStart)
        }
        let done = ParsedElement(localName: element.localName, namespaceURI: element.namespaceURI, attributes: element.attributes,
                              children: children, text: ownText, line: element.line)
        if open.isEmpty { root = done } else { finished.append(done) }
    }

    private mutating func append(_ characters: UnsafePointer<xmlChar>?, _ length: Int) {
        guard refusal == nil, let characters, length > 0, !open.isEmpty else { return }
        text.append(contentsOf: UnsafeBufferPointer(start: characters, count: length))
    }

    private mutating func namespace(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        if let lastNamespace, lastNamespace.pointer == pointer || Self.equal(pointer, lastNamespace.uri) { return lastNamespace.uri }
        let uri = Self.string(pointer)
        lastNamespace = (pointer, uri)
        return uri
    }

    /// Whether the C string at `pointer` spells `text` (for a pointer other than the cached one; the same
    /// pointer is the same interned string for the whole document).
    private static func equal(_ pointer: UnsafePointer<xmlChar>, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self)) == utf8.count
            && memcmp(pointer, utf8.baseAddress!, utf8.count) == 0 }
    }

    /// The name as the document wrote it when its prefix is not bound to a namespace (`x:id` stays `x:id`, as
    /// libxml2's own tree kept it, instead of passing for an unprefixed `id`); otherwise the local name.
    private static func name(_ localName: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?) -> String {
        guard let prefix, uri == nil else { return string(localName) }
        return string(prefix) + ":" + string(localName)
    }

    /// The innermost element still open when the input ended (a truncated document), with its line.
    var unclosedElement: (name: String, line: Int)? { open.last.map { ($0.localName, $0.line) } }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    /// libxml2 hands SAX2 attribute values with `&amp;` (and `&#38;`) left as `&#38;` unless it substitutes
    /// entities, which this parser never asks for; every other reference arrives resolved.
    private static func expandingAmpersands(_ value: String) -> String {
        guard value.utf8.contains(0x26) else { return value }
        var bytes: [UInt8] = []
        let utf8 = Array(value.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x26, index + 4 < utf8.count, utf8[index + 1] == 0x23, utf8[index + 2] == 0x33,
               utf8[index + 3] == 0x38, utf8[index + 4] == 0x3B {
                bytes.append(0x26)
                index += 5
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
