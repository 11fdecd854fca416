import PowerShell
import Testing

/// Hostile and broken input: the reader and the evaluator always finish, never crash, and say what they
/// could not read. (No timing assertions: a hang would stop the suite.)
@Suite("PowerShell reader: attack input")
struct AttackTests {
    /// Deterministic bytes (xorshift), so a failure reproduces.
    static func garbage(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func evaluate(_ bytes: [UInt8], files: [String: [UInt8]] = [:]) -> ScriptEvaluation {
        var all = files
        all["tools/chocolateyInstall.ps1"] = bytes
        return Evaluator.evaluate(
            entry: "tools/chocolateyInstall.ps1", in: PackageEnvironment(id: "p", version: "1.0.0", nuspecVersion: "1.0", files: all))
    }

    // (name, script) that must be read with at least one error and without crashing.
    static let broken: [(String, String)] = [
        ("unterminated single quote", "$u = 'https://x"),
        ("unterminated double quote", "$u = \"https://x $(Get-Date"),
        ("unterminated here-string", "$u = @'\nhttps://x\n"),
        ("unclosed hashtable", "$a = @{ url = 'https://x'\n"),
        ("unclosed subexpression", "$a = $(1 + "),
        ("unclosed block comment", "<# never closed\nInstall-ChocolateyPackage -Url 'https://x'"),
        ("unclosed braced variable", "$u = ${abc"),
        ("stray closers", ")))}}}]]]"),
        ("hashtable key without value", "$a = @{ url }")
    ]

    @Test(arguments: broken)
    func brokenScriptsAreReportedNotCrashed(_ row: (String, String)) {
        let script = Parser.parse(row.1)
        #expect(!script.errors.isEmpty, "\(row.0)")
        _ = Self.evaluate(Array(row.1.utf8))
    }

    // Nesting far beyond the bound, of every kind the parser recurses on.
    static let deep: [(String, String, String)] = [
        ("parentheses", "(", ")"), ("blocks", "{", "}"), ("hashtables", "@{a=", "}"), ("subexpressions", "$(", ")"),
        ("strings in strings", "\"$(", ")\""), ("arrays", "@(", ")"), ("if conditions", "if (", ") {}"), ("casts", "[int]", ""),
        ("negations", "-not ", ""), ("script blocks", "& {", "}")
    ]

    @Test(arguments: deep)
    func deepNestingIsBounded(_ row: (String, String, String)) {
        let text = String(repeating: row.1, count: 20_000) + "1" + String(repeating: row.2, count: 20_000)
        let script = Parser.parse(text)
        #expect(script.errors.contains { $0.message.contains("nesting deeper") }, "\(row.0)")
        _ = Self.evaluate(Array(text.utf8))
    }

    @Test func longChainsAreBounded() {
        let sum = "$v = " + Array(repeating: "'a'", count: 100_000).joined(separator: " + ")
        #expect(Parser.parse(sum).errors.contains { $0.message.contains("nesting deeper") })
        _ = Self.evaluate(Array(sum.utf8))
        let members = "$v = $a" + String(repeating: ".b", count: 100_000)
        _ = Self.evaluate(Array(members.utf8))
    }

    @Test(arguments: [1 as UInt64, 2, 3, 4, 5, 6, 7, 8])
    func garbageBytes(seed: UInt64) {
        let bytes = Self.garbage(32 << 10, seed: seed)
        _ = Parser.parse(SourceFile(path: "g.ps1", bytes: bytes))
        _ = Self.evaluate(bytes)
    }

    @Test func hugeInputIsReadOnce() {
        // 1 MiB of ordinary statements: linear work (errors capped, no re-reading).
        let line = "Install-ChocolateyPackage -PackageName 'x' -Url \"https://x/$i.exe\" -Checksum 'ab' # c\n"
        let text = String(repeating: line, count: (1 << 20) / line.utf8.count)
        let evaluation = Self.evaluate(Array(text.utf8))
        #expect(evaluation.events.count > 0)
        let errors = Parser.parse(String(repeating: "@{ = ", count: 200_000)).errors
        #expect(errors.count <= 100)
    }

    @Test func utf16AndOddLineEndings() {
        var utf16: [UInt8] = [0xFE, 0xFF]
        for unit in "$v = 'x'\r$w = 'y'\r".utf16 { utf16 += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        let script = Parser.parse(SourceFile(path: "u.ps1", bytes: utf16))
        #expect(script.statements.count == 2 && script.errors.isEmpty)
        // A lone high surrogate and NUL bytes are read, not trapped on.
        _ = Parser.parse(SourceFile(path: "s.ps1", bytes: [0xFF, 0xFE, 0x00, 0xD8, 0x24, 0x00, 0x00, 0x00, 0x41]))
        _ = Parser.parse(SourceFile(path: "n.ps1", bytes: [0x24, 0x00, 0x27, 0x00, 0x22, 0x60]))
    }

    @Test func recursiveSideFilesAndFunctionsStop() {
        let selfSourcing = Array(". $PSScriptRoot\\chocolateyInstall.ps1\n$v = 1".utf8)
        _ = Self.evaluate(selfSourcing)
        let mutual = ["tools/a.ps1": Array(". $PSScriptRoot\\b.ps1".utf8), "tools/b.ps1": Array(". $PSScriptRoot\\a.ps1".utf8)]
        _ = Self.evaluate(Array(". $PSScriptRoot\\a.ps1".utf8), files: mutual)
        _ = Self.evaluate(Array("function f { f; f }\nfunction g { g }\nf\ng".utf8))
        // Exponential fan-out (each function calls the next twice) is cut by the work bound.
        let fan = (0..<30).map { "function f\($0) { f\($0 + 1); f\($0 + 1) }" }.joined(separator: "\n") + "\nf0"
        _ = Self.evaluate(Array(fan.utf8))
        let loops =
            (0..<6).map { "foreach ($i\($0) in @(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20)) {" }.joined() + "x"
            + String(repeating: "}", count: 6)
        _ = Self.evaluate(Array(loops.utf8))
    }
}
