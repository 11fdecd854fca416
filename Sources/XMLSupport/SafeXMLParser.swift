internal import CXML2
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses XML with libxml2 in a locked-down mode: no network, no DTD loading, no entity substitution,
/// and any DOCTYPE refused outright. The result is a plain ``XMLElement`` tree; no C type escapes.
public enum SafeXMLParser {
    /// The default size limit: 16 MiB is far above any real nuspec or feed page.
    public static let defaultSizeLimit = 16 << 20
    /// Nesting deeper than this is refused (real nuspecs and Atom feeds nest fewer than 10 levels).
    public static let defaultDepthLimit = 256

    /// Parses `bytes`, naming `source` (a file name or URL) in every error.
    public static func parse(
        _ bytes: [UInt8], source: String, sizeLimit: Int = defaultSizeLimit
    ) throws(XMLSupportError) -> XMLElement {
        guard bytes.count <= sizeLimit else { throw .tooLarge(source: source, size: bytes.count, limit: sizeLimit) }
        // Refuse before libxml2 sees the DTD at all: nothing declared in it can then be expanded.
        if containsDoctype(bytes) { throw .doctypeNotAllowed(source: source) }
        let document = try ParsedDocument(bytes: bytes, source: source)
        return try document.rootElement(depthLimit: defaultDepthLimit)
    }

    /// True when `<!DOCTYPE` or `<!ENTITY` appears outside comments (a conservative byte scan; a CDATA
    /// section containing the text is refused too, which no legitimate nuspec needs).
    static func containsDoctype(_ bytes: [UInt8]) -> Bool {
        let markers: [[UInt8]] = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        var index = 0
        let count = bytes.count
        while index < count {
            if bytes[index] == 0x3C, index + 3 < count, bytes[index + 1] == 0x21 {
                // Skip comments: <!-- ... -->
                if bytes[index + 2] == 0x2D, bytes[index + 3] == 0x2D {
                    var end = index + 4
                    while end + 2 < count, !(bytes[end] == 0x2D && bytes[end + 1] == 0x2D && bytes[end + 2] == 0x3E) { end += 1 }
                    index = end + 3
                    continue
                }
                for marker in markers where index + marker.count <= count {
                    if zip(bytes[index..<index + marker.count], marker).allSatisfy({ upper($0) == $1 }) { return true }
                }
            }
            index += 1
        }
        return false
    }

    private static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }
}

/// Owns a libxml2 parser context and the document it produced; frees both in `deinit`.
final class ParsedDocument {
    private let lease: ContextPool.Lease
    private let document: xmlDocPtr
    private let source: String

    // libxml2 must be initialised once before it is used from several threads (inspect parses in parallel).
    private static let initialised: Void = xmlInitParser()

    init(bytes: [UInt8], source: String) throws(XMLSupportError) {
        _ = Self.initialised
        guard let lease = ContextPool.shared.take() else {
            throw .malformed(source: source, line: 0, message: "libxml2 could not allocate a parser context")
        }
        let context = lease.context
        // NONET: never fetch anything. No NOENT/DTDLOAD/DTDATTR/HUGE: entities are never substituted.
        // NOERROR/NOWARNING: errors are read from the context instead of printed.
        // COMPACT: short text is stored inside its node (fewer allocations). Not NOBLANKS: it can drop a space
        // between comments inside a value (`<a><!--x--> <!--y-->b</a>`).
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue)
        let parsed = Self.pushParse(bytes, context: context, source: source, options: options)
        let wellFormed = context.pointee.wellFormed != 0
        guard let parsed, wellFormed else {
            let (line, message) = Self.lastError(context)
            if let parsed { xmlFreeDoc(parsed) }
            xmlFreeParserCtxt(context)  // not reused after an error
            throw .malformed(source: source, line: line, message: message)
        }
        if parsed.pointee.intSubset != nil || parsed.pointee.extSubset != nil {
            xmlFreeDoc(parsed)
            xmlFreeParserCtxt(context)
            throw .doctypeNotAllowed(source: source)
        }
        self.lease = lease
        self.document = parsed
        self.source = source
    }

    /// Feeds the document to libxml2's push parser and returns what it built.
    ///
    /// Push mode rather than `xmlCtxtReadMemory`: the pull parser asks its memory input to "grow" every time
    /// fewer than 250 bytes remain, which on a 400-byte nuspec is nearly every token and cost a third of the
    /// parse. The push parser sees the whole buffer and never asks. Chunks bound what libxml2 scans ahead.
    private static func pushParse(_ bytes: [UInt8], context: xmlParserCtxtPtr, source: String, options: Int32) -> xmlDocPtr? {
        let chunkSize = 256 << 10
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.count > 0 ? UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self) : nil
            let first = min(buffer.count, chunkSize)
            // Resetting with the first chunk also detects the encoding from its first bytes.
            guard xmlCtxtResetPush(context, base, Int32(first), source, nil) == 0 else { return }
            xmlCtxtUseOptions(context, options)
            var offset = first
            while offset < buffer.count, context.pointee.wellFormed != 0 {
                let size = min(chunkSize, buffer.count - offset)
                _ = xmlParseChunk(context, base! + offset, Int32(size), 0)
                offset += size
            }
            _ = xmlParseChunk(context, nil, 0, 1)
        }
        let document = context.pointee.myDoc
        // The context frees a document it still holds when it is reset or freed: hand it over.
        context.pointee.myDoc = nil
        return document
    }

    deinit {
        xmlFreeDoc(document)
        ContextPool.shared.give(lease)
    }

    /// The last namespace seen and its URI as a String: every element of a nuspec shares one `xmlNs`, and
    /// converting its 50-byte URI once instead of per element also makes later comparisons pointer-fast.
    private var lastNamespace: (pointer: UnsafeMutablePointer<xmlNs>, uri: String)?

    private func namespaceURI(_ pointer: UnsafeMutablePointer<xmlNs>?) -> String? {
        guard let pointer else { return nil }
        if let lastNamespace, lastNamespace.pointer == pointer { return lastNamespace.uri }
        let uri = Self.string(pointer.pointee.href)
        lastNamespace = (pointer, uri)
        return uri
    }

    func rootElement(depthLimit: Int) throws(XMLSupportError) -> XMLElement {
        guard let root = xmlDocGetRootElement(document) else {
            throw .malformed(source: source, line: 0, message: "the document has no root element")
        }
        return try convert(root, depth: 0, limit: depthLimit)
    }

    private func convert(_ node: xmlNodePtr, depth: Int, limit: Int) throws(XMLSupportError) -> XMLElement {
        guard depth < limit else { throw .tooDeep(source: source, limit: limit) }
        var attributes: [XMLElement.Attribute] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = Self.string(current.pointee.name)
            let namespace = namespaceURI(current.pointee.ns)
            var value = ""
            if let content = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self)) {
                value = Self.string(content)
                ccm_xml_free(content)
            }
            attributes.append(.init(localName: name, namespaceURI: namespace, value: value))
            attribute = current.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(try convert(current, depth: depth + 1, limit: limit))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += Self.string(content) }
            case XML_ENTITY_REF_NODE:
                // Unreachable with DOCTYPEs refused; refuse rather than guess if it ever happens.
                throw .doctypeNotAllowed(source: source)
            default:
                break
            }
            child = current.pointee.next
        }
        return XMLElement(
            localName: Self.string(node.pointee.name),
            namespaceURI: namespaceURI(node.pointee.ns),
            attributes: attributes,
            children: children,
            text: text,
            line: Int(xmlGetLineNo(node))
        )
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }

    private static func string(_ pointer: UnsafeMutablePointer<xmlChar>?) -> String {
        string(UnsafePointer(pointer))
    }

    private static func lastError(_ context: xmlParserCtxtPtr) -> (Int, String) {
        guard let error = xmlCtxtGetLastError(context) else { return (0, "not well-formed") }
        let message = error.pointee.message.map { String(cString: $0) } ?? "not well-formed"
        return (Int(error.pointee.line), message.trimmingCharacters())
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// libxml2 parser contexts kept for reuse (`xmlCtxtResetPush` resets them): creating one (dictionary, SAX
/// handler, stacks) cost about as much as parsing a small nuspec when a folder of packages is read.
///
/// One context per thread, not a shared pool: a context carries buffers malloc'd by the thread that used
/// it, and handing it to another thread made glibc free them across arenas, where the two `inspect`
/// workers then waited on each other's arena locks (hundreds of futex waits per folder).
final class ContextPool: Sendable {
    static let shared = ContextPool()

    /// A context and how many documents it has parsed.
    struct Lease: @unchecked Sendable {
        let context: xmlParserCtxtPtr
        let uses: Int
    }

    /// A context's dictionary keeps every name it interned: contexts are retired after this many documents.
    private static let maxUses = 512

    #if os(Windows)
    private let free = Mutex<[Lease]>([])

    func take() -> Lease? {
        if let lease = free.withLock({ $0.popLast() }) { return Lease(context: lease.context, uses: lease.uses + 1) }
        return xmlNewParserCtxt().map { Lease(context: $0, uses: 1) }
    }

    func give(_ lease: Lease) {
        let kept = lease.uses < Self.maxUses && free.withLock { pool in
            guard pool.count < 8 else { return false }
            pool.append(lease)
            return true
        }
        if !kept { xmlFreeParserCtxt(lease.context) }
    }
    #else
    /// The thread's idle context, boxed for thread-local storage; freed if the thread ends holding it.
    private final class Slot {
        var lease: Lease?
        init(_ lease: Lease) { self.lease = lease }
        deinit { if let lease { xmlFreeParserCtxt(lease.context) } }
    }

    private let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<Slot>.fromOpaque(raw).release() }
        }
        return key
    }()

    func take() -> Lease? {
        if let raw = pthread_getspecific(key) {
            pthread_setspecific(key, nil)
            let slot = Unmanaged<Slot>.fromOpaque(raw).takeRetainedValue()
            if let lease = slot.lease {
                slot.lease = nil
                return Lease(context: lease.context, uses: lease.uses + 1)
            }
        }
        return xmlNewParserCtxt().map { Lease(context: $0, uses: 1) }
    }

    func give(_ lease: Lease) {
        guard lease.uses < Self.maxUses, pthread_getspecific(key) == nil else {
            xmlFreeParserCtxt(lease.context)
            return
        }
        pthread_setspecific(key, Unmanaged.passRetained(Slot(lease)).toOpaque())
    }
    #endif
}
