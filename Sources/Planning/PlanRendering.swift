import Compatibility
import Foundation

/// Human and PowerShell renderings of a plan.
public enum PlanRendering {
    /// The `internalize` commands that bring `packages` into `target` by hand: the licensed ones from the
    /// licensed repository (without dependencies, as CCM's scripts take them), the others from the community one.
    static func internalizeCommands(_ packages: [PinnedPackage], target: String) -> [String] {
        func quoted(_ text: String) -> String {
            text.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" : text
        }
        let catalogue = CCMCatalogue.standard
        let licensed = packages.filter { catalogue.source(of: $0.id) == .licensed }
        let community = packages.filter { catalogue.source(of: $0.id) != .licensed }
        var commands: [String] = []
        for (group, from) in [(community, ""), (licensed, " --from licensed --ignore-dependencies")] where !group.isEmpty {
            commands.append("ccm-upgrade internalize " + group.map { quoted("\($0.id)@\($0.version.normalized)") }.joined(separator: " ")
                + from + " --to " + quoted(target))
        }
        return commands
    }

    /// Readable text: the target, preflight findings, then each step with where it runs and the exact command.
    public static func text(_ plan: UpgradePlan) -> String {
        var lines = ["Upgrade plan: CCM \(plan.from.map { $0.normalized + " → " } ?? "")\(plan.target.normalized) from \(plan.source)"]
        if let license = plan.steps.first(where: { $0.phase == .license || $0.phase == .restart }) {
            lines = ["Licence renewal plan: \(license.package) \(license.version.normalized) on CCM \(plan.target.normalized) from \(plan.source)"]
        }
        if plan.steps.isEmpty { lines.append("Nothing to do: the estate is already at CCM \(plan.target.normalized).") }
        for finding in plan.preflight {
            lines.append("  \(finding.severity.rawValue): \(finding.subject): \(finding.message)")
        }
        for step in plan.steps {
            lines.append("")
            lines.append("Step \(step.number) [\(step.phase.rawValue)] on \(step.place): \(stepTitle(step))")
            if step.phase == .internalize {
                lines += step.packages.map { "    \($0)" }
                lines += Self.internalizeCommands(step.packages, target: plan.source).map { "    run: \($0) (the run command does this)" }
            } else if let restart = step.restart {
                lines.append("    " + restart.displayCommand(ccmVersion: plan.target))
            } else {
                lines.append("    " + step.chocoCommand(source: plan.source).masked)
            }
            lines += step.notes.map { "    note: \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    private static func stepTitle(_ step: PlanStep) -> String {
        if step.phase == .internalize { return "bring \(step.packages.count) package(s) into the internal feed" }
        if let restart = step.restart { return restart.title }
        return "upgrade \(step.package) " + (step.fromVersion.map { "\($0.normalized) → " } ?? "") + step.version.normalized
    }

    /// A PowerShell script: one choco command per line, each followed by an exit-code check that accepts
    /// 0, 1605, 1614, 1641 and 3010 and notes a pending reboot. Secrets are read from their references at
    /// run time (`$env:NAME`, a file, or `Read-Host -AsSecureString`), never written into the script; each
    /// host section reads all of its secrets before its first choco command and stops with a clear message
    /// when one is unset or holds what choco's command line cannot carry (a `"` or a line break). A restart
    /// step (licence renewal) is its ``RestartAction``'s fixed PowerShell, in its host's or group's section.
    public static func powershell(_ plan: UpgradePlan) -> String {
        var lines = [
            "# ccm-upgrade plan: CCM \(plan.target.normalized) (\(comment(plan.generator)))",
            "# Run each host's section on that host, in order. Stop at the first failure.",
            "$ErrorActionPreference = 'Stop'",
            "$validExitCodes = @(0, 1605, 1614, 1641, 3010)",
            "function Assert-ChocoSuccess([string] $Step) {",
            "  if ($validExitCodes -notcontains $LASTEXITCODE) { Write-Error \"$Step failed with exit code $LASTEXITCODE\"; exit $LASTEXITCODE }",
            "  if (@(1641, 3010) -contains $LASTEXITCODE) { Write-Warning \"$Step succeeded; a reboot is pending (exit code $LASTEXITCODE)\" }",
            "}",
            "# A secret's value, or a stop before anything in this section ran. The value is only ever expanded from a",
            "# variable (never pasted into script text), so $, backticks and quotes in it are not interpreted by PowerShell;",
            "# a double quote or a line break would still be mangled on choco's command line, so they are refused.",
            "function Get-PlanSecret([string] $Reference, $Value) {",
            "  if ($null -eq $Value -or [string]::IsNullOrEmpty([string] $Value)) { throw \"the secret $Reference is not set; set it and run this section again (nothing in it has run)\" }",
            "  $text = ([string] $Value).Trim()",
            "  if ($text -match '[\"\\r\\n]') { throw \"the secret $Reference contains a double quote or a line break, which choco's command line cannot carry; change it (nothing in this section has run)\" }",
            "  return $text",
            "}",
        ]
        var secretIndex = 0
        var sections: [(place: String, steps: [PlanStep])] = []
        for step in plan.steps {
            if sections.last?.place == step.place { sections[sections.count - 1].steps.append(step) } else { sections.append((step.place, [step])) }
        }
        for section in sections {
            lines.append("")
            lines.append("# ---- \(comment(section.place)) ----")
            var assignments: [String] = []
            var variables: [SecretReference: String] = [:]
            func variable(for reference: SecretReference) -> String {
                if let known = variables[reference] { return known }
                secretIndex += 1
                let name = "$secret\(secretIndex)"
                variables[reference] = name
                let label = singleQuoted(reference.description)
                switch reference {
                case let .environment(environmentName):
                    assignments.append("\(name) = Get-PlanSecret \(label) ([Environment]::GetEnvironmentVariable(\(singleQuoted(environmentName))))")
                case let .file(path):
                    assignments.append("\(name) = Get-PlanSecret \(label) (Get-Content -LiteralPath \(singleQuoted(path)) -TotalCount 1)")
                case let .prompt(prompt):
                    assignments.append("\(name) = Get-PlanSecret \(label) ([Runtime.InteropServices.Marshal]::PtrToStringBSTR([Runtime.InteropServices.Marshal]::SecureStringToBSTR((Read-Host -AsSecureString \(singleQuoted(prompt))))))")
                }
                return name
            }
            var body: [String] = []
            for step in section.steps {
                if step.phase == .internalize {
                    body.append("# Step \(step.number): bring these into \(comment(plan.source)) first (ccm-upgrade internalize):")
                    body += step.packages.map { "#   \(comment($0.description))" }
                    continue
                }
                // A restart is the action's fixed PowerShell (never text from the plan file); the script's
                // $ErrorActionPreference = 'Stop' ends the script when a cmdlet of it fails.
                if let restart = step.restart {
                    body.append("# Step \(step.number): \(comment(restart.title))")
                    body += restart.script(ccmVersion: plan.target).dropFirst()
                    continue
                }
                func render(_ parameter: PackageParameter) -> String {
                    switch parameter.value {
                    case nil: return "/\(parameter.name)"
                    case let .text(text): return "/\(parameter.name):" + doubleQuotedContent(text)
                    case let .secret(reference): return "/\(parameter.name):$(\(variable(for: reference)))"
                    }
                }
                // Options and values as separate arguments (`--version '1.0'`, not `--version='1.0'`): the same to
                // choco, and a form every PowerShell parser reads as one argument each.
                var command = "choco upgrade \(step.package) --version \(singleQuoted(step.version.normalized)) --source \(singleQuoted(plan.source)) -y --no-progress"
                if !step.parameters.isEmpty { command += " --package-parameters \"'" + step.parameters.map(render).joined(separator: " ") + "'\"" }
                if !step.sensitiveParameters.isEmpty {
                    command += " --package-parameters-sensitive \"'" + step.sensitiveParameters.map(render).joined(separator: " ") + "'\""
                }
                body.append("# Step \(step.number): \(comment(stepTitle(step)))")
                body.append(command)
                body.append("Assert-ChocoSuccess \(singleQuoted("Step \(step.number): \(step.package) \(step.version.normalized)"))")
            }
            if !assignments.isEmpty { lines.append("# This section's secrets, all read before its first step.") }
            lines += assignments
            lines += body
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A PowerShell single-quoted string: nothing is expanded; a quote (also the typographic ones PowerShell
    /// treats as quotes) is doubled.
    static func singleQuoted(_ text: String) -> String {
        var result = "'"
        for character in text {
            if "'\u{2018}\u{2019}\u{201A}\u{201B}".contains(character) { result.append(character) }
            result.append(character)
        }
        return result + "'"
    }

    /// Text inside a PowerShell double-quoted string, taken literally: `$`, backtick and double quotes (also
    /// the typographic ones) are escaped with a backtick.
    static func doubleQuotedContent(_ text: String) -> String {
        var result = ""
        for character in text {
            if "$`\"\u{201C}\u{201D}\u{201E}".contains(character) { result.append("`") }
            result.append(character)
        }
        return result
    }

    /// Text in a `#` comment: a line break would end the comment and make the rest code.
    static func comment(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
