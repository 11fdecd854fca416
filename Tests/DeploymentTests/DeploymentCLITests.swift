import Foundation
@testable import Deployment
import Planning
import Testing
import TestSupport

/// `ccm-upgrade deployment …` as a process: output, exit codes, and that no secret reaches the output.
@Suite("deployment commands")
struct DeploymentCLITests {
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ToolProcess.Result {
        try ToolProcess.run(arguments, environment: environment, stdin: stdin)
    }

    /// A folder with plan.json (``Plans/full()``), removed by the caller.
    static func planFolder() throws -> String {
        let folder = NSTemporaryDirectory() + "deployment-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(Plans.full()).write(to: URL(fileURLWithPath: folder + "/plan.json"))
        return folder
    }

    @Test("emit: import JSON on stdout, warnings on stderr, exit 0; the output lints clean apart from groups")
    func emitThenLint() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let emitted = try Self.run(["deployment", "emit", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--output", folder + "/d.json"])
        #expect(emitted.status == 0, "\(emitted.stderr)")
        #expect(emitted.stderr.contains("warning: NO GROUP IDS"))
        let linted = try Self.run(["deployment", "lint", folder + "/d.json"])
        #expect(linted.status == 0)
        #expect(linted.stdout.contains("0 error(s), 3 warning(s)"))
        let strict = try Self.run(["deployment", "lint", "--strict", folder + "/d.json"])
        #expect(strict.status == 1)
    }

    @Test("emit refuses a bad option or plan with exit 2")
    func emitBadInput() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let timeout = try Self.run(["deployment", "emit", folder + "/plan.json", "--execution-timeout", "0"])
        #expect(timeout.status == 2)
        #expect(timeout.stderr.contains("0 means infinite"))
        let missing = try Self.run(["deployment", "emit", folder + "/nope.json"])
        #expect(missing.status == 2)
        let groups = try Self.run(["deployment", "emit", folder + "/plan.json", "--groups-file", folder + "/plan.json"])
        #expect(groups.status == 2)
    }

    @Test("lint: file:step diagnostics and exit 1 on errors; exit 2 for an unreadable file")
    func lintErrors() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad = #"{"Name": "x", "ScheduledDateTimeUtc": null, "LastScheduledDateTimeUtc": null, "RepeatPeriod": 0, "ExecutionTimeoutInSeconds": 14400, "RequiresApproval": false, "DeploymentSteps": [{"Name": "a", "IsPrivileged": true, "PlanOrder": 1, "Script": "choco upgrade chocolatey-agent -y; exit $LASTEXITCODE", "ValidExitCodes": "0, 3010", "ExecutionTimeoutInSeconds": 0, "FailOnError": true, "RequireSuccessOnAllComputers": false, "MachineContactTimeoutInMinutes": 5, "DeploymentStepGroupIds": [1]}]}"#
        try bad.write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
        let result = try Self.run(["deployment", "lint", folder + "/bad.json"])
        #expect(result.status == 1)
        #expect(result.stderr.contains(folder + "/bad.json:step 1: error: script line 1 chains a choco command"))
        #expect(result.stderr.contains("[timeout.infinite-execution]"))
        #expect(result.stderr.contains("[agent.self-upgrade-restart]"))
        #expect(try Self.run(["deployment", "lint", folder + "/none.json"]).status == 2)
        let json = try Self.run(["deployment", "lint", "--format", "json", folder + "/bad.json"])
        #expect(json.status == 1)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.contains { $0["rule"] as? String == "script.chained-choco" && $0["step"] as? Int == 1 && $0["severity"] as? String == "error" })
        // The same file through standard input.
        let piped = try Self.run(["deployment", "lint", "-"], stdin: try String(contentsOfFile: folder + "/bad.json", encoding: .utf8))
        #expect(piped.status == 1)
        #expect(piped.stderr.contains("-:step 1: error: script line 1 chains a choco command"))
    }

    @Test("push → Ready → start → wait against the fake; credentials from the environment never appear")
    func pushAndWait() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fake = try FakeCCM()
        let env = ["CCM_URL": fake.base, "CCM_USERNAME": FakeCCM.user, "CCM_PASSWORD": FakeCCM.password]
        let pushed = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--start", "--wait", "--interval", "0"],
                                  environment: env)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("created deployment plan 41"))
        #expect(pushed.stdout.contains("'ccm-upgrade 0.16.0 -> 0.17.0 (agents)': Completed (Success)"))
        #expect(!(pushed.stdout + pushed.stderr).contains(FakeCCM.password))
        let groups = try Self.run(["deployment", "groups", "--output", folder + "/groups.json"], environment: env)
        #expect(groups.status == 0, "\(groups.stderr)")
        let emitted = try Self.run(["deployment", "emit", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--groups-file", folder + "/groups.json"])
        #expect(emitted.stdout.contains("\"DeploymentStepGroupIds\": [3]"))
        #expect(emitted.stdout.contains("\"DeploymentStepGroupIds\": [7]"))
        let status = try Self.run(["deployment", "status", "--id", "41", "--format", "json"], environment: env)
        #expect(status.status == 0)
        #expect(status.stdout.contains("\"resultCode\": 9"))
        // A second plan, left Ready, then cancelled.
        let second = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "CCM Servers=host-agent"], environment: env)
        #expect(second.stdout.contains("deployment plan 42 is Ready"))
        #expect(try Self.run(["deployment", "cancel", "--id", "42"], environment: env).status == 0)
        let unknown = try Self.run(["deployment", "status", "--id", "999"], environment: env)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("CCM does not list deployment plan 999"))
        let cancelled = try Self.run(["deployment", "status", "--id", "42"], environment: env)
        #expect(cancelled.status == 1)
        #expect(cancelled.stdout.contains("Completed (Cancelled)"))
    }

    @Test("status of a failed plan exits 1; a wrong password exits 1 with the login error; no URL or an unknown group exits 2")
    func failures() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fake = try FakeCCM(["--outcome", "Failed"])
        let env = ["CCM_URL": fake.base, "CCM_USERNAME": FakeCCM.user, "CCM_PASSWORD": FakeCCM.password]
        let pushed = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--start"], environment: env)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let waited = try Self.run(["deployment", "status", "--id", "41", "--wait", "--interval", "0"], environment: env)
        #expect(waited.status == 1)
        #expect(waited.stdout.contains("Failed (exit code 1603)"))
        var wrong = env
        wrong["CCM_PASSWORD"] = "nope"
        let login = try Self.run(["deployment", "status", "--id", "41"], environment: wrong)
        #expect(login.status == 1)
        #expect(login.stderr.contains("login failed (HTTP 500)"))
        #expect(try Self.run(["deployment", "status", "--id", "41"], environment: ["CCM_PASSWORD": "x", "CCM_USERNAME": "u"]).status == 2)
        let bad = #"{"Name": "x", "ScheduledDateTimeUtc": null, "LastScheduledDateTimeUtc": null, "RepeatPeriod": 0, "ExecutionTimeoutInSeconds": 14400, "RequiresApproval": false, "DeploymentSteps": [{"Name": "a", "IsPrivileged": false, "PlanOrder": 1, "Script": "upgrade|chocolatey-agent|4.0.0|false", "ValidExitCodes": "0", "ExecutionTimeoutInSeconds": 600, "FailOnError": true, "RequireSuccessOnAllComputers": false, "MachineContactTimeoutInMinutes": 5, "DeploymentStepGroupIds": [7]}]}"#
        try bad.write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
        let refused = try Self.run(["deployment", "push", folder + "/bad.json"], environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing was created in CCM"))
        #expect(!fake.requests.contains { $0.hasPrefix("POST /api/services/app/DeploymentPlans/CreateOrEdit {\"name\":\"x\"") })
        let unknownGroup = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "Nope=host-agent"], environment: env)
        #expect(unknownGroup.status == 2)
        #expect(unknownGroup.stderr.contains("CCM group 'Nope' is not in CCM"))
    }

    @Test("push reads the plan back: a CCM whose Import dropped the groups leaves it Draft with exit 1; start refuses a plan targeting nothing")
    func targetsChecked() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fake = try FakeCCM(["--import-drops-groups"])
        let env = ["CCM_URL": fake.base, "CCM_USERNAME": FakeCCM.user, "CCM_PASSWORD": FakeCCM.password]
        let pushed = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--method", "import", "--start"],
                                  environment: env)
        #expect(pushed.status == 1, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("created deployment plan 41"))
        #expect(pushed.stderr.contains("deployment plan 41 is not moved to Ready or started: step 1 'Upgrade chocolatey-agent to 4.0.0 (host ccm01)' targets no group (created with group ids 3)"))
        #expect(!fake.requests.contains { $0.contains("MoveToReady") || $0.contains("/Start") })
        let started = try Self.run(["deployment", "start", "--id", "41", "--move-to-ready"], environment: env)
        #expect(started.status == 1)
        #expect(started.stderr.contains("targets no group"))
        #expect(!fake.requests.contains { $0.contains("MoveToReady") || $0.contains("/Start") })
        // The same plan by steps keeps its groups and starts.
        let bySteps = try Self.run(["deployment", "push", folder + "/plan.json", "--group", "CCM Servers=host-agent", "--start"], environment: env)
        #expect(bySteps.status == 0, "\(bySteps.stderr)")
        #expect(bySteps.stdout.contains("deployment plan 42 started"))
    }

    @Test("--include-server with a secret: refused (exit 2) until the sensitive-variable syntax is set or confirmed")
    func sensitiveTemplateConfirmation() throws {
        let folder = try Self.planFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let refused = try Self.run(["deployment", "emit", folder + "/plan.json", "--include-server"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("Chocolatey does not publish how one is written in a script"))
        #expect(refused.stdout.isEmpty)
        let confirmed = try Self.run(["deployment", "emit", folder + "/plan.json", "--include-server", "--confirm-sensitive-variable-template"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains("{{CCM_SERVICE_PASSWORD}}"))
        let set = try Self.run(["deployment", "emit", folder + "/plan.json", "--include-server", "--sensitive-variable-template", "%NAME%"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.contains("/Password:%CCM_SERVICE_PASSWORD%"))
    }

    @Test("http:// CCM on another machine: exit 2 without --allow-http; with it, a clear-text warning")
    func plainHTTP() throws {
        let env = ["CCM_URL": "http://127.0.0.2:9/", "CCM_USERNAME": "u", "CCM_PASSWORD": "pw-not-printed"]
        let refused = try Self.run(["deployment", "groups"], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--allow-http"))
        let allowed = try Self.run(["deployment", "groups", "--allow-http"], environment: env)
        #expect(allowed.stderr.contains("warning: --allow-http: http://127.0.0.2:9 is plain http"))
        #expect(allowed.status == 1)  // nothing listens there
        #expect(!(allowed.stdout + allowed.stderr).contains("pw-not-printed"))
    }
}
