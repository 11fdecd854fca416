import PowerShell
import Testing

@Suite struct SourceSpanTests {
    @Test func locationNamesFileAndLine() {
        let span = SourceSpan(file: "tools/chocolateyInstall.ps1", line: 12, column: 3, start: 40, end: 52)
        #expect(span.location == "tools/chocolateyInstall.ps1:12")
    }
}
