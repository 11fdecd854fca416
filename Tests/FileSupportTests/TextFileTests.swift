import FileSupport
import Foundation
import Testing

@Suite("Text inputs: BOM, CRLF, encodings")
struct TextFileTests {
    static let rows: [(name: String, bytes: [UInt8], text: String?, error: String?)] = [
        ("plain", Array("a\nb\n".utf8), "a\nb\n", nil),
        ("CRLF", Array("a\r\nb\r\n".utf8), "a\nb\n", nil),
        ("BOM and CRLF", [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: 2".utf8), "a: 1\nb: 2", nil),
        ("lone CR kept", Array("a\rb".utf8), "a\rb", nil),
        ("BOM only", [0xEF, 0xBB, 0xBF], "", nil),
        ("UTF-16 LE with BOM", [0xFF, 0xFE, 0x61, 0x00], "a", nil),
        ("UTF-16 cut short", [0xFF, 0xFE, 0x61], nil, "the file is UTF-16 with an odd number of bytes (cut short?)"),
        ("bad UTF-8 on line 2", Array("ok\r\n".utf8) + [0xC3, 0x28] + Array("\n".utf8), nil, "line 2 is not valid UTF-8; save the file as UTF-8"),
    ]

    @Test(arguments: rows)
    func decodes(row: (name: String, bytes: [UInt8], text: String?, error: String?)) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        sandbox.write("input", row.bytes)
        if let text = row.text {
            #expect(try TextFile.read(atPath: sandbox.file("input")) == text, "\(row.name)")
        } else {
            let error = #expect(throws: FileIOError.self, "\(row.name)") { try TextFile.read(atPath: sandbox.file("input")) }
            #expect(error?.reason == row.error)
            #expect(error?.path == sandbox.file("input"))
        }
    }

    @Test func aMissingFileSaysSo() {
        let error = #expect(throws: FileIOError.self) { try TextFile.read(atPath: "/no/such/file.yaml") }
        #expect(error?.description == "/no/such/file.yaml: cannot open: No such file or directory")
    }
}
