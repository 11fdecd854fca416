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

/// Parses XML with libxml2 in a locked-down mode: no network, no DTD loading, no entity substitution,
/// and any DOCTYPE refused outright. The result is a plain ``ParsedElement`` tree; no C type escapes.
public enum SafeXMLParser {
    /// The default size limit: 16 MiB is far above any real nuspec or feed page.
    public static let defaultSizeLimit = 16 << 20
    /// Nesting deeper than this is refused (real nuspecs and Atom feeds nest fewer than 10 levels).
    public static let defaultDepthLimit = 256

    /// Parses `bytes`, naming `source` (a file name or URL) in every error.
    public static func parse(
        _ bytes: [UInt8], source: String, sizeLimit: Int = defaultSizeLimit
    ) throws(XMLSupportError) -> ParsedElement {
        guard bytes.count <= sizeLimit else { throw .tooLarge(source: source, size: bytes.count, limit: sizeLimit) }
        // Refuse a visible DTD before parsing. The scan is a first line only (it does not decode UTF-16 and can be
        // misled by markup inside processing instructions); the parser's DOCTYPE callback refuses the rest
        // before any declaration in it is read.
        if containsDoctype(bytes) { throw .doctypeNotAllowed(source: source) }
        return try parseElements(bytes, source: source, depthLimit: defaultDepthLimit)
    }

    /// True when `<!DOCTYPE` or `<!ENTITY` appears outside comments (a conservative byte scan; a CDATA
    /// section containing the text is refused too, which no legitimate nuspec needs).
    static func containsDoctype(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            let count = buffer.count
            var index = 0
            // memchr to each '<': most of a document is text and names, never looked at byte by byte here.
            while index < count, let found = memchr(base + index, 0x3C, count - index) {
                index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                guard index + 3 < count, base[index + 1] == 0x21 else {
                    index += 1
                    continue
                }
                if base[index + 2] == 0x2D, base[index + 3] == 0x2D {
                    // Skip the comment <!-- ... -->: a DOCTYPE inside one is only text.
                    var end = index + 4
                    while end + 2 < count, !(base[end] == 0x2D && base[end + 1] == 0x2D && base[end + 2] == 0x3E) { end += 1 }
                    index = end + 3
                    continue
                }
                if matches(buffer, at: index, "<!DOCTYPE") || matches(buffer, at: index, "<!ENTITY") { return true }
                index += 1
            }
            return false
        }
    }

    /// ASCII case-insensitive match of an upper-case `marker` at `index`.
    private static func matches(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int, _ marker: StaticString) -> Bool {
        let length = marker.utf8CodeUnitCount
        guard index + length <= buffer.count else { return false }
        let expected = marker.utf8Start
        for offset in 0..<length where upper(buffer[index + offset]) != expected[offset] { return false }
        return true
    }

    private static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    // libxml2 must be initialised once before it is used from several threads (inspect parses in parallel).
    private static let initialised: Void = xmlInitParser()

    /// Runs libxml2's push parser over `bytes` with SAX callbacks that build ``ParsedElement`` values directly.
    ///
    /// Push mode rather than `xmlCtxtReadMemory`: the pull parser asks its memory input to "grow" every time
    /// fewer than 250 bytes remain, which on a 400-byte nuspec is nearly every token. SAX rather than
    /// libxml2's own tree: building, walking and freeing `xmlNode`s cost more than the parse itself.
    static func parseElements(_ bytes: [UInt8], source: String, depthLimit: Int) throws(XMLSupportError) -> ParsedElement {
        _ = initialised
        guard let lease = ContextPool.shared.take() else {
            throw .malformed(source: source, line: 0, message: "libxml2 could not allocate a parser context")
        }
        let context = lease.context
        var builder = XMLTreeBuilder(source: source, depthLimit: depthLimit)
        XMLTreeBuilder.install(on: context)
        // NONET: never fetch anything. No NOENT/DTDLOAD/DTDATTR/HUGE: entities are never substituted.
        // NOERROR/NOWARNING: errors are read from the context instead of printed.
        // Not NOBLANKS: it can drop a space between comments inside a value (`<a><!--x--> <!--y-->b</a>`).
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue)
        let chunkSize = 256 << 10
        XMLTreeBuilder.attach(&builder, to: context) {
            bytes.withUnsafeBufferPointer { buffer in
                let base = buffer.count > 0 ? UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self) : nil
                let first = min(buffer.count, chunkSize)
                // Resetting with the first chunk also detects the encoding from its first bytes. No file name:
                // errors name `source` themselves, and libxml2 would canonicalise it as a URI on every reset.
                guard xmlCtxtResetPush(context, base, Int32(first), nil, nil) == 0 else { return }
                xmlCtxtUseOptions(context, options)
                var offset = first
                while offset < buffer.count, context.pointee.wellFormed != 0, context.pointee.disableSAX == 0 {
                    let size = min(chunkSize, buffer.count - offset)
                    _ = xmlParseChunk(context, base! + offset, Int32(size), 0)
                    offset += size
                }
                _ = xmlParseChunk(context, nil, 0, 1)
            }
        }
        if let refusal = builder.refusal {
            xmlFreeParserCtxt(context)  // stopped mid-document: not reused
            throw refusal
        }
        guard context.pointee.wellFormed != 0, let root = builder.root else {
            let (line, message) = lastError(context, bytes: bytes, unclosed: builder.unclosedElement)
            xmlFreeParserCtxt(context)  // not reused after an error
            throw .malformed(source: source, line: line, message: message)
        }
        ContextPool.shared.give(lease)
        return root
    }

    /// libxml2's message, except where its push parser words the end of input misleadingly: an empty or
    /// truncated document ends with "Extra content at the end of the document".
    private static func lastError(_ context: xmlParserCtxtPtr, bytes: [UInt8], unclosed: (name: String, line: Int)?) -> (Int, String) {
        guard let error = xmlCtxtGetLastError(context), error.pointee.code != 0 else {
            let code = context.pointee.errNo
            return (0, code != 0 ? "not well-formed (libxml2 error \(code))" : "the document has no root element")
        }
        if error.pointee.code == Int32(XML_ERR_DOCUMENT_END.rawValue) || error.pointee.code == Int32(XML_ERR_DOCUMENT_EMPTY.rawValue) {
            if let unclosed {
                return (unclosed.line, "the document ends inside <\(unclosed.name)> (opened on line \(unclosed.line)): premature end of data")
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return (0, "the document is empty") }
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "not well-formed"
        var trimmed = message
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        return (Int(error.pointee.line), trimmed)
    }
}
