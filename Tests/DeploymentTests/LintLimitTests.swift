import Deployment
import Foundation
import Planning
import Testing

/// Input limits and masking in `deployment lint` and `lint-script` (issue 12 §3, §4).
@Suite("Lint: input limits and quoted secrets")
struct LintLimitTests {
    let helper = LintTests()

    @Test("a step script over 256 KiB is one format error, not minutes of analysis")
    func hugeStepScript() {
        let big = "choco upgrade chocolatey -y\n" + String(repeating: "# padding line\n", count: 20_000) + "exit $LASTEXITCODE"
        let text = helper.document([["IsPrivileged": "true", "Script": helper.script(big)]])
        let diagnostics = helper.lint(text)
        #expect(diagnostics.count == 1, "\(diagnostics)")
        #expect(diagnostics.first?.message.contains("a step script may be at most 256 KiB") == true, "\(diagnostics)")
    }

    @Test("a plan file over 4 MiB is refused before it is parsed")
    func hugePlanFile() {
        let diagnostics = DeploymentLinter.lint(Data(repeating: 0x20, count: (4 << 20) + 1), file: "plan.json")
        #expect(diagnostics.map(\.message) == ["the file is 4194305 bytes; a deployment plan may be at most 4 MiB"])
    }

    @Test("numbers beyond CCM's 32-bit fields are out of range, not a crash or 'not a number'", arguments: ["PlanOrder", "ExecutionTimeoutInSeconds", "MachineContactTimeoutInMinutes"])
    func hugeNumbers(_ field: String) {
        let diagnostics = helper.lint(helper.document([[field: "9223372036854775807"]]))
        #expect(diagnostics.contains { $0.message == "'\(field)' is out of range: CCM reads it as a 32-bit whole number (-2147483648 to 2147483647)" },
                "\(diagnostics)")
        let groups = helper.lint(helper.document([["DeploymentStepGroupIds": "[7, 4294967296]"]]))
        #expect(groups.contains { $0.message.contains("must hold CCM group ids (32-bit whole numbers), found a number 4294967296") }, "\(groups)")
    }

    @Test("lint-script stops at 1 MiB with one error")
    func hugeScript() {
        let diagnostics = ScriptLinter.lint(String(repeating: "choco upgrade x -y\n", count: 60_000), file: "big.ps1")
        #expect(diagnostics.count == 1 && diagnostics[0].message.contains("at most 1 MiB is linted"), "\(diagnostics.prefix(3))")
    }

    // (script, rule) — each message quotes the script, with the password masked.
    static let quoting: [(String, String)] = [
        (#""upgrade|x|1.0|false /Password:hunter2""#, "basic"),
        (#""upgrade|x /Password:hunter2""#, "basic"),
    ]

    @Test("a basic script quoted back in a message has its /Password: masked", arguments: quoting)
    func basicScriptIsMasked(_ row: (String, String)) {
        let all = helper.lint(helper.document([["Script": row.0]])).map(\.description).joined(separator: "\n")
        #expect(!all.contains("hunter2"), "\(all)")
        #expect(all.contains("/Password:********"), "\(all)")
    }

    @Test("the last line quoted in the exit-code error has its secret masked")
    func lastLineIsMasked() {
        let text = helper.document([["IsPrivileged": "true", "Script": helper.script("choco upgrade x -y /Password:hunter2")]])
        let all = helper.lint(text).map(\.description).joined(separator: "\n")
        #expect(!all.contains("hunter2"), "\(all)")
    }
}
