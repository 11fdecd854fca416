import Internalization
import PowerShell
import Testing

@Suite struct ResourceReportTests {
    @Test func unresolvedDownloadMakesThePackageNotInternalizable() {
        let span = SourceSpan(file: "tools/chocolateyInstall.ps1", line: 3, column: 1, start: 0, end: 10)
        var report = ResourceReport(id: "a", version: "1.0.0", resources: [], unresolved: [])
        #expect(report.isFullyResolved)
        report.unresolved.append(UnresolvedResource(helper: "Install-ChocolateyPackage", call: span, reason: "x"))
        #expect(!report.isFullyResolved)
    }
}
