import FileSupport
import Testing

@Suite("TextFile: UTF-16 with a byte-order mark (Windows PowerShell 5's default)")
struct TextFileUTF16Tests {
    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in text.utf16 {
            let pair = [UInt8(unit >> 8), UInt8(unit & 0xFF)]
            bytes += bigEndian ? pair : pair.reversed()
        }
        return bytes
    }

    @Test(arguments: [false, true])
    func decodes(bigEndian: Bool) throws {
        let text = try TextFile.decode(Self.utf16("choco upgrade x -y\r\nexit 0 ü\r\n", bigEndian: bigEndian), path: "s.ps1")
        #expect(text == "choco upgrade x -y\nexit 0 ü\n")
    }

    @Test func oddLengthIsCutShort() {
        #expect(throws: FileIOError.self) { try TextFile.decode([0xFF, 0xFE, 0x41], path: "s.ps1") }
    }
}
