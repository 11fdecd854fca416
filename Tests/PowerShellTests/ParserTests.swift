import PowerShell
import Testing

@Suite("PowerShell parser")
struct ParserTests {
    /// The first command of `script`.
    func command(_ script: String) -> Command? {
        for statement in Parser.parse(script).statements {
            if case .pipeline(let pipeline) = statement.kind, case .command(let command)? = pipeline.elements.first { return command }
        }
        return nil
    }

    func describe(_ element: CommandElement) -> String {
        switch element.kind {
        case .parameter(let name, let argument): "-\(name)" + (argument == nil ? "" : ":arg")
        case .argument: "arg"
        case .splat(let name): "@\(name)"
        }
    }

    // (command line, its name, its elements)
    static let commands: [(String, String, [String])] = [
        ("Install-ChocolateyPackage -PackageName 'x' -Url $u", "Install-ChocolateyPackage", ["-PackageName", "arg", "-Url", "arg"]),
        ("Install-ChocolateyPackage -Url:$u -UseOriginalLocation", "Install-ChocolateyPackage", ["-Url:arg", "-UseOriginalLocation"]),
        (
            "Install-ChocolateyPackage 'n' 'exe' '/S' 'https://a' -validExitCodes @(0,3010)", "Install-ChocolateyPackage",
            ["arg", "arg", "arg", "arg", "-validExitCodes", "arg"]
        ),
        ("Install-ChocolateyPackage @arguments @arguments64", "Install-ChocolateyPackage", ["@arguments", "@arguments64"]),
        (
            "Install-ChocolateyPackage -PackageName \"${n}-$arch\" `\n    -FileType $t `\r\n    @installData", "Install-ChocolateyPackage",
            ["-PackageName", "arg", "-FileType", "arg", "@installData"]
        ),
        ("chocolateyInstaller\\Install-WindowsUpdate -Id 'KB1' -MsuData $d", "Install-WindowsUpdate", ["-Id", "arg", "-MsuData", "arg"]),
        ("choco upgrade x --version=1.2 --params=\"'/a;b'\" -y", "choco", ["arg", "arg", "arg", "arg", "-y"]),
        (
            "Start-ChocolateyProcessAsAdmin $toolsPath\\x.exe -validExitCodes 0, 3010", "Start-ChocolateyProcessAsAdmin",
            ["arg", "-validExitCodes", "arg"]
        ),
        ("7z.exe x -y", "7z.exe", ["arg", "-y"])
    ]

    @Test(arguments: commands)
    func commandsAndTheirElements(_ row: (String, String, [String])) throws {
        let parsed = try #require(command(row.0))
        #expect(parsed.bareName == row.1)
        #expect(parsed.elements.map(describe) == row.2)
    }

    @Test func spansIndexTheRawBytesWithBOMAndCRLF() throws {
        let text = "\u{FEFF}# c\r\n$u = 'https://x/a.exe'\r\n"
        let script = Parser.parse(SourceFile(path: "t.ps1", bytes: Array(text.utf8)))
        guard case .assignment(_, _, let value)? = script.statements.first?.kind else {
            Issue.record("no assignment")
            return
        }
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[value.span.start..<value.span.end], as: UTF8.self) == "'https://x/a.exe'")
        #expect(value.span.line == 2 && value.span.column == 6)
        #expect(script.errors.isEmpty)
        #expect(script.comments.count == 1)
    }

    @Test func utf16FilesMapBackToRawOffsets() {
        let text = "$u = 'é'\n"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let script = Parser.parse(SourceFile(path: "t.ps1", bytes: bytes))
        guard case .assignment(_, _, let value)? = script.statements.first?.kind else {
            Issue.record("no assignment")
            return
        }
        // `'é'` is UTF-16 code units 5...7 after the 2-byte BOM.
        #expect(value.span.start == 2 + 5 * 2 && value.span.end == 2 + 8 * 2)
    }

    @Test func keywordsAndBlocks() {
        let script = Parser.parse(
            """
            if ($a) { x } elseif ($b) { y }
            else { z }
            foreach ($i in $list) { Write-Host $i }
            try { a } catch [System.Exception] { b } finally { c }
            function Get-X { param([Parameter(Mandatory = $true)] [string] $Name, $Other = @(1, 2)) "n" }
            switch ($x) { 'a' { 1 } default { 2 } }
            """)
        #expect(script.errors.isEmpty, "\(script.errors)")
        let kinds = script.statements.map { statement -> String in
            switch statement.kind {
            case .ifStatement(let clauses, let elseBody): "if \(clauses.count) else \(elseBody != nil)"
            case .foreachLoop(let variable, _, _): "foreach \(variable)"
            case .block(let keyword, let bodies): "\(keyword) \(bodies.count)"
            case .function(let name, let parameters, _): "function \(name) \(parameters)"
            default: "other"
            }
        }
        #expect(kinds == ["if 2 else true", "foreach i", "try 3", "function Get-X [\"Name\", \"Other\"]", "switch 2"])
    }

    @Test func pipelinesAndChains() {
        let script = Parser.parse("a | b -x; c && d\n$x = 1")
        let chains = script.statements.compactMap { statement -> String? in
            if case .pipeline(let pipeline) = statement.kind { return "\(pipeline.elements.count)\(pipeline.chain ?? "")" }
            return nil
        }
        #expect(chains == ["2;", "1&&", "1"])
    }
}
