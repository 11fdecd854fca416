import RemoteHosts
import Testing

@Suite struct ChocoListTests {
    // (output, expected ids and versions) — formats per remote-hosts.md §3.
    @Test(arguments: [
        // 2.x `choco list -r`, and 1.x `choco list --local-only -r`
        ("chocolatey|2.4.3\nchocolatey-agent|3.0.0\n", ["chocolatey": "2.4.3", "chocolatey-agent": "3.0.0"]),
        // 2.x without -r: banner, `id version`, summary
        ("Chocolatey v2.4.3\nchocolatey 2.4.3\nchocolatey-management-web 0.16.0\n2 packages installed.\n",
         ["chocolatey": "2.4.3", "chocolatey-management-web": "0.16.0"]),
        // 1.x `choco list -lo`, Windows line endings, versions as written in the nuspec
        ("Chocolatey v1.4.0\r\nchocolatey 1.4.0\r\nchocolatey.extension 5.0.08\r\n2 packages installed.\r\n",
         ["chocolatey": "1.4.0", "chocolatey.extension": "5.0.8"]),
        // 2.5.0+ `--include-headers`
        ("Id|Version\nchocolatey|2.5.0\n", ["chocolatey": "2.5.0"]),
        // a licensed install missing its extension prints a warning first
        ("A license was found for a licensed version of Chocolatey, but the extension is not installed.\nchocolatey|1.4.0\n",
         ["chocolatey": "1.4.0"]),
        // `outdated -r` lines (four fields) are not list lines
        ("chocolatey|1.4.0|2.4.3|false\n", [:]),
        // ids are case-insensitive; side-by-side installs keep the highest
        ("Chocolatey-Agent|2.0.0\nchocolatey-agent|3.0.0\nCHOCOLATEY-AGENT|1.0.0\n", ["chocolatey-agent": "3.0.0"]),
        // a UTF-8 BOM and surrounding spaces
        ("\u{FEFF}chocolatey|2.4.3  \n", ["chocolatey": "2.4.3"]),
        // prerelease versions
        ("chocolatey-management-web|0.17.0-beta.1\n", ["chocolatey-management-web": "0.17.0-beta.1"]),
    ])
    func formats(text: String, expected: [String: String]) {
        #expect(ChocoList(parsing: text).packages.mapValues(\.normalized) == expected)
    }

    @Test func bannerGivesTheCLIVersion() {
        #expect(ChocoList(parsing: "Chocolatey v2.4.3 Business\nchocolatey 2.4.3\n").chocolateyVersion?.normalized == "2.4.3")
        #expect(ChocoList(parsing: "chocolatey|2.4.3\n").chocolateyVersion == nil)
    }

    @Test func twoXRefusingLocalOnlyIsNoPackagesAndTheMessageIsKept() {
        let list = ChocoList(parsing: "Invalid argument --local-only. This argument has been removed from the list command and cannot be used.\n")
        #expect(list.packages.isEmpty)
        #expect(list.ignoredLines.count == 1)
    }

    // Attack inputs: none crashes, none yields a package that is not one.
    @Test(arguments: [
        "|\n||\n|||\n",
        "chocolatey|\n|2.4.3\n",
        "choco latey|2.4.3\n",
        "chocolatey|2.4.3|\n",
        "chocolatey|not-a-version\n",
        "../../etc/passwd|1.0.0\n",
        "chocolatey..agent|1.0.0\n",
        ".chocolatey|1.0.0\n",
        "chocolatey-|1.0.0\n",
        "ch\u{0}ocolatey|1.0.0\n",
        "chócolatey|1.0.0\n",
        "chocolatey|99999999999999999999.0.0\n",
        "chocolatey|1.0.0.0.0\n",
        "\r\r\r\n\n\n",
        "",
    ])
    func attackLinesYieldNothing(text: String) {
        #expect(ChocoList(parsing: text).packages.isEmpty)
    }

    @Test func longIDIsRefused() {
        #expect(ChocoList(parsing: String(repeating: "a", count: 101) + "|1.0.0\n").packages.isEmpty)
        #expect(ChocoList(parsing: String(repeating: "a", count: 100) + "|1.0.0\n").packages.count == 1)
    }

    @Test func hugeOutputIsCutAtTheLineLimit() {
        let text = String(repeating: "x|1.0.0\n", count: ChocoList.lineLimit + 10)
        let list = ChocoList(parsing: text)
        #expect(list.packages == ["x": list.packages["x"]!])
        #expect(list.ignoredLines.last?.contains("cut") == true)
    }

    @Test func ignoredLinesAreBounded() {
        let list = ChocoList(parsing: String(repeating: "noise noise noise\n", count: 10_000))
        #expect(list.ignoredLines.count == 100)
    }
}
