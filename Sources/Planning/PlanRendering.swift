import Compatibility
import Foundation

/// Human and PowerShell renderings of a plan.
public enum PlanRendering {
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
                lines.append("    run: ccm-upgrade internalize --source \(plan.source) (the run command does this)")
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
    /// run time (`$env:NAME`, a file, or `Read-Host -AsSecureString`), never written into the script.
    public static func powershell(_ plan: UpgradePlan) -> String {
        var lines = [
            "# ccm-upgrade plan: CCM \(plan.target.normalized) (\(plan.generator))",
            "# Run each host's section on that host, in order. Stop at the first failure.",
            "$ErrorActionPreference = 'Stop'",
            "$validExitCodes = @(0, 1605, 1614, 1641, 3010)",
            "function Assert-ChocoSuccess([string] $Step) {",
            "  if ($validExitCodes -notcontains $LASTEXITCODE) { Write-Error \"$Step failed with exit code $LASTEXITCODE\"; exit $LASTEXITCODE }",
            "  if (@(1641, 3010) -contains $LASTEXITCODE) { Write-Warning \"$Step succeeded; a reboot is pending (exit code $LASTEXITCODE)\" }",
            "}",
        ]
        var secretIndex = 0
        var currentPlace: String?
        for step in plan.steps {
            if step.place != currentPlace {
                lines.append("")
                lines.append("# ---- \(step.place) ----")
                currentPlace = step.place
            }
            if step.phase == .internalize {
                lines.append("# Step \(step.number): bring these into \(plan.source) first (ccm-upgrade internalize):")
                lines += step.packages.map { "#   \($0)" }
                continue
            }
            if let restart = step.restart {
                lines.append("# Step \(step.number): \(restart.title)")
                lines += restart.script(ccmVersion: plan.target).dropFirst()
                continue
            }
            var assignments: [String] = []
            func render(_ parameter: PackageParameter) -> String {
                switch parameter.value {
                case nil: return "/\(parameter.name)"
                case let .text(text): return "/\(parameter.name):" + text.replacingOccurrences(of: "'", with: "''")
                case let .secret(reference):
                    secretIndex += 1
                    let variable = "$secret\(secretIndex)"
                    switch reference {
                    case let .environment(name): assignments.append("\(variable) = $env:\(name)")
                    case let .file(path): assignments.append("\(variable) = (Get-Content -LiteralPath '\(path.replacingOccurrences(of: "'", with: "''"))' -TotalCount 1).Trim()")
                    case let .prompt(label):
                        assignments.append("\(variable) = [Runtime.InteropServices.Marshal]::PtrToStringBSTR([Runtime.InteropServices.Marshal]::SecureStringToBSTR((Read-Host -AsSecureString '\(label)')))")
                    }
                    return "/\(parameter.name):" + "$(\(variable))"
                }
            }
            var command = "choco upgrade \(step.package) --version='\(step.version.normalized)' --source='\(plan.source.replacingOccurrences(of: "'", with: "''"))' -y --no-progress"
            if !step.parameters.isEmpty { command += " --package-parameters=\"'" + step.parameters.map(render).joined(separator: " ") + "'\"" }
            if !step.sensitiveParameters.isEmpty {
                command += " --package-parameters-sensitive=\"'" + step.sensitiveParameters.map(render).joined(separator: " ") + "'\""
            }
            lines.append("# Step \(step.number): \(stepTitle(step))")
            lines += assignments
            lines.append(command)
            lines.append("Assert-ChocoSuccess 'Step \(step.number): \(step.package) \(step.version.normalized)'")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
