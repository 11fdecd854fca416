import Testing
import XMLSupport

private func parse(_ xml: String, source: String = "doc.xml") throws(XMLSupportError) -> ParsedElement {
    try SafeXMLParser.parse(Array(xml.utf8), source: source)
}

private func utf16LE(_ text: String) -> [UInt8] { [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }

@Suite("SafeXMLParser: the tree")
struct SafeXMLParserTreeTests {
    @Test func elementsAttributesNamespacesAndLines() throws {
        let root = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="urn:d">
              <entry d:kind="x" plain="y"><d:Id>a</d:Id></entry>
            </feed>
            """)
        #expect(root.localName == "feed")
        #expect(root.namespaceURI == "http://www.w3.org/2005/Atom")
        let entry = try #require(root.child("entry"))
        #expect(entry.line == 2)
        #expect(entry.attribute("kind", namespace: "urn:d") == "x")
        #expect(entry.attribute("plain") == "y")
        #expect(entry.child("Id", namespace: "urn:d")?.text == "a")
    }

    /// Predefined entities and character references resolve the same in text and in attributes (libxml2's
    /// SAX interface hands attribute `&amp;` over as `&#38;`; the builder must not leak that). CDATA is text.
    @Test func referencesAndCDATAResolve() throws {
        let root = try parse("""
            <a v="1&amp;2&#38;&lt;3&gt;&quot;&apos;&#38;#38;">A &amp; B &lt;x&gt; &#169; &#x263A;<![CDATA[<b>&amp;</b>]]></a>
            """)
        #expect(root.attribute("v") == "1&2&<3>\"'&#38;")
        #expect(root.text == "A & B <x> \u{A9} \u{263A}<b>&amp;</b>")
    }

    /// Whitespace between comments inside a value is text (libxml2's NOBLANKS would drop it).
    @Test func spacesBetweenCommentsAreKept() throws {
        #expect(try parse("<d><!--x--> <!--y-->foo<!--z--> <!--w-->bar</d>").text == " foo bar")
    }

    /// Documents larger than one parser chunk (256 KiB) are fed in pieces; text spanning pieces stays whole.
    @Test func largeDocumentsAreReadAcrossChunks() throws {
        let notes = String(repeating: "0123456789abcdef", count: 40_000)
        #expect(try parse("<a><b>\(notes)</b></a>").child("b")?.text == notes)
    }

    @Test func utf16AndByteOrderMarksAreAccepted() throws {
        let utf16 = utf16LE("<?xml version=\"1.0\" encoding=\"utf-16\"?><a>Caf\u{E9}</a>")
        #expect(try SafeXMLParser.parse(utf16, source: "utf16.xml").text == "Caf\u{E9}")
        #expect(try SafeXMLParser.parse([0xEF, 0xBB, 0xBF] + Array("<a>x</a>".utf8), source: "bom.xml").text == "x")
    }

    @Test func aCommentMentioningDoctypeIsFine() throws {
        #expect(try parse("<?xml version=\"1.0\"?><!-- no <!DOCTYPE here --><a/>").localName == "a")
    }
}

@Suite("SafeXMLParser: attacks and broken input")
struct SafeXMLParserAttackTests {
    // MARK: DTDs and entities

    static let doctypes: [(name: String, xml: String)] = [
        ("bare DOCTYPE", "<?xml version=\"1.0\"?><!DOCTYPE a><a/>"),
        ("lower-case marker", "<!doctype a><a/>"),
        ("external entity (XXE)", "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>"),
        ("external DTD over the network", "<!DOCTYPE a SYSTEM \"http://127.0.0.1:9/evil.dtd\"><a/>"),
        ("parameter entity", "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p\"> %p;]><a/>"),
        ("billion laughs", """
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><a>&lol3;</a>
            """),
        ("ENTITY without DOCTYPE", "<a><!ENTITY x \"y\"></a>"),
        // The byte scan is only the first line: DOCTYPEs it cannot see are refused by the parser's callback.
        ("hidden after a fake comment in a PI", "<?pi <!-- ?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a><!-- -->"),
    ]

    @Test(arguments: doctypes)
    func doctypesAreRefused(row: (name: String, xml: String)) {
        let error = #expect(throws: XMLSupportError.self, "\(row.name)") { try parse(row.xml, source: "evil.xml") }
        switch error {
        case .doctypeNotAllowed(source: "evil.xml")?: break
        case .malformed(source: "evil.xml", _, _)?: break  // `<!ENTITY` inside an element is not even XML
        default: Issue.record("\(row.name): \(String(describing: error))")
        }
    }

    @Test func aDoctypeInUTF16IsRefused() {
        let bytes = utf16LE("<?xml version=\"1.0\" encoding=\"utf-16\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>")
        #expect(throws: XMLSupportError.doctypeNotAllowed(source: "u.xml")) { try SafeXMLParser.parse(bytes, source: "u.xml") }
    }

    @Test func anUndefinedEntityIsMalformedAndNamed() {
        let error = #expect(throws: XMLSupportError.self) { try parse("<a>&nope;</a>") }
        #expect(error?.description.contains("malformed XML") == true)
        #expect(error?.description.contains("nope") == true)
    }

    // MARK: Size and depth

    @Test func nestingBeyondTheLimitIsRefused() {
        let xml = String(repeating: "<x>", count: 300) + String(repeating: "</x>", count: 300)
        #expect(throws: XMLSupportError.tooDeep(source: "doc.xml", limit: SafeXMLParser.defaultDepthLimit)) { try parse(xml) }
        let deepButAllowed = String(repeating: "<x>", count: 200) + String(repeating: "</x>", count: 200)
        #expect(throws: Never.self) { try parse(deepButAllowed) }
    }

    @Test func aDocumentAboveTheSizeLimitIsRefusedUnread() {
        #expect(throws: XMLSupportError.tooLarge(source: "big.xml", size: 11, limit: 10)) {
            try SafeXMLParser.parse(Array("<a>1234</a>".utf8), source: "big.xml", sizeLimit: 10)
        }
    }

    // MARK: Broken input

    static let broken: [(name: String, bytes: [UInt8], fragment: String)] = [
        ("empty", [], "the document is empty"),
        ("whitespace only", Array("  \n\t ".utf8), "the document is empty"),
        ("truncated", Array("<package>\n<metadata><id>a</id>".utf8), "ends inside <metadata> (opened on line 2)"),
        ("truncated inside a tag", Array("<a><b att=\"1".utf8), "malformed XML"),
        ("syntax error", Array("<a><id a=>x</id></a>".utf8), "AttValue"),
        ("mismatched tags", Array("<a><b></a></b>".utf8), "malformed XML"),
        ("bad UTF-8", Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8), "malformed XML"),
        ("overlong UTF-8", Array("<a>".utf8) + [0xC0, 0xAF] + Array("</a>".utf8), "malformed XML"),
        ("NUL byte", Array("<a>".utf8) + [0x00] + Array("</a>".utf8), "malformed XML"),
        ("two roots", Array("<a/><b/>".utf8), "malformed XML"),
        ("text only", Array("just text".utf8), "malformed XML"),
    ]

    @Test(arguments: broken)
    func brokenInputIsNamedPrecisely(row: (name: String, bytes: [UInt8], fragment: String)) {
        let error = #expect(throws: XMLSupportError.self, "\(row.name)") { try SafeXMLParser.parse(row.bytes, source: "broken.xml") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.hasPrefix("broken.xml"), "\(row.name): \(text)")
        #expect(text.contains(row.fragment), "\(row.name): \(text)")
    }
}
