import Diagnostics
import Foundation
import JSONOutput
import Testing

@Suite("Diagnostics: one type, one printer")
struct DiagnosticTests {
    static let lines: [(Diagnostic, String)] = [
        (.error("cannot read the file", at: .init(file: "a.ps1")), "a.ps1: error: cannot read the file"),
        (.error("two server packages in one command", rule: "script.combined", at: .init(file: "up.ps1", line: 12)),
         "up.ps1:12: error: two server packages in one command [script.combined]"),
        (.warning("no exit code", rule: "script.exit-lastexitcode", at: .init(file: "plan.json", step: 3)),
         "plan.json:step 3: warning: no exit code [script.exit-lastexitcode]"),
        (.error("feed unreachable", hint: "check --source"), "error: feed unreachable; check --source"),
        (Diagnostic(.note, at: .init(file: "m.yaml", line: 0), "line 0 means the whole file"), "m.yaml: note: line 0 means the whole file"),
    ]

    @Test(arguments: lines)
    func compilerStyleLine(_ row: (Diagnostic, String)) {
        #expect(row.0.description == row.1)
    }

    @Test func sortsByLocationThenSeverity() {
        let unsorted: [Diagnostic] = [
            .warning("w", at: .init(file: "b", line: 1)),
            .warning("w", at: .init(file: "a", line: 2)),
            .error("e", at: .init(file: "a", line: 2)),
            .error("e", at: .init(file: "a", line: 1)),
        ]
        #expect(unsorted.sorted().map(\.description) == ["a:1: error: e", "a:2: error: e", "a:2: warning: w", "b:1: warning: w"])
    }

    @Test func jsonIsFlatAndRoundTrips() throws {
        let diagnostic = Diagnostic.error("bad", rule: "r", at: .init(file: "f", step: 2), hint: "h")
        let text = try JSONOutput.encode(diagnostic)
        #expect(text == "{\n  \"file\": \"f\",\n  \"hint\": \"h\",\n  \"message\": \"bad\",\n  \"rule\": \"r\",\n  \"severity\": \"error\",\n  \"step\": 2\n}")
        #expect(try JSONDecoder().decode(Diagnostic.self, from: Data(text.utf8)) == diagnostic)
    }

    @Test func printerWritesWholeLinesToItsDescriptor() throws {
        let pipe = Pipe()
        let printer = DiagnosticPrinter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        #expect(!printer.isTerminal)
        printer.report(.error("x", at: .init(file: "f", line: 1)))
        printer.warning("careful")
        printer.show("a bar is never drawn off a terminal")
        printer.finish()
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "f:1: error: x\nwarning: careful\n")
    }
}

@Suite("Did you mean")
struct SuggestionTests {
    static let commands = ["inspect", "download", "push", "internalize", "pack", "matrix", "plan", "run", "lint-script", "deployment"]
    static let rows: [(String, String?)] = [
        ("inspcet", "inspect"), ("inpsect", "inspect"), ("interalize", "internalize"), ("deploy", "deployment"),
        ("plna", "plan"), ("lint", "lint-script"), ("xyz", nil), ("upgrade", nil), ("PUSH", "push"),
    ]

    @Test(arguments: rows)
    func suggestion(_ row: (String, String?)) {
        #expect(Suggestion.closest(to: row.0, in: Self.commands) == row.1)
    }
}

@Suite("JSON house style")
struct JSONOutputTests {
    struct Sample: Encodable {
        let url = "https://example.org/a/b"
        let empty: [String] = []
        let nested = ["z": 1, "a": 2]
        let text = "tab\there \u{08}\u{0C} ü"
    }

    @Test func layout() throws {
        let text = try JSONOutput.encode(Sample())
        #expect(text == """
            {
              "empty": [],
              "nested": {
                "a": 2,
                "z": 1
              },
              "text": "tab\\there \\b\\f ü",
              "url": "https://example.org/a/b"
            }
            """)
    }

    static let quoted: [(String, String)] = [
        ("plain/é", "\"plain/é\""), ("a\"b\\c", "\"a\\\"b\\\\c\""), ("\n\r\t", "\"\\n\\r\\t\""), ("\u{01}", "\"\\u0001\""),
        ("{\"s\":\"[,:]\"}", "\"{\\\"s\\\":\\\"[,:]\\\"}\""),
    ]

    @Test(arguments: quoted)
    func quoting(_ row: (String, String)) { #expect(JSONOutput.quoted(row.0) == row.1) }

    @Test func punctuationInsideStringsIsNotLaidOut() throws {
        #expect(try JSONOutput.encode(["k": "{[,:]}"]) == "{\n  \"k\": \"{[,:]}\"\n}")
    }
}

@Suite("Redaction")
struct RedactionTests {
    static let shapes: [(String, String)] = [
        ("choco install x --params \"/Password:hunter2 /Port:8080\"", "choco install x --params \"/Password:******** /Port:8080\""),
        ("/password=s3cret;", "/password=********;"),
        ("Pwd = x y z", "Pwd = ********"),
        ("Server=sql;Database=ccm;User ID=sa;Password=p@ss w0rd;", "Server=sql;Database=ccm;User ID=sa;Password=********;"),
        ("choco push --api-key abcd1234 -s x", "choco push --api-key ******** -s x"),
        ("--apikey=abcd1234", "--apikey=********"),
        ("X-NuGet-ApiKey: 0f0f0f0f", "X-NuGet-ApiKey: ********"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ********"),
        ("https://customer:0123-4567@licensedpackages.chocolatey.org/api/v2/", "https://customer:********@licensedpackages.chocolatey.org/api/v2/"),
        ("--password 'quoted value'", "--password ********"),
        ("nothing secret here: /Port:8080", "nothing secret here: /Port:8080"),
    ]

    @Test(arguments: shapes)
    func masksSecretShapes(_ row: (String, String)) { #expect(Redaction.mask(row.0) == row.1) }

    @Test func registeredValuesNeverReachThePrinter() throws {
        Redaction.register("registered-key-42")
        Redaction.register("ab") // too short to mask
        let pipe = Pipe()
        let printer = DiagnosticPrinter(descriptor: pipe.fileHandleForWriting.fileDescriptor)
        printer.error("server said: bad key registered-key-42 (ab)")
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == "error: server said: bad key ******** (ab)\n")
    }
}
