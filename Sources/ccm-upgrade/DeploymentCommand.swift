import ArgumentParser
import Deployment
import Diagnostics
import FileSupport
import Foundation
import Planning

/// `ccm-upgrade deployment emit|lint|push|start|status`: hand the fleet-wide part of a plan to CCM.
struct DeploymentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployment",
        abstract: "Emit a plan as a CCM deployment plan (import JSON), lint deployment files, and drive CCM's API.",
        discussion: """
            Exit codes: 0 done (lint: no errors; status: the plan succeeded); 1 problems found (lint errors, \
            a plan that ended Failed, Unreachable, Inconclusive or Cancelled, CCM refusing a call); 2 bad input.
            See the README's deployment section.
            """,
        subcommands: [Emit.self, Lint.self, Groups.self, Push.self, Start.self, Status.self, Cancel.self]
    )
}

extension DeploymentCommand {
    /// `deployment emit PLAN.json`: the import JSON on stdout (or --output), warnings on stderr.
    struct Emit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "emit",
            abstract: "Write a ccm-upgrade plan as CCM's deployment-plan import JSON (CCM 0.11.0+).",
            discussion: "By default only the agent phase; --include-server adds the server steps. Import it in CCM (Deployments → Import) or with 'deployment push'."
        )

        @Argument(help: ArgumentHelp("A plan file written by 'ccm-upgrade plan --format json'.", valueName: "PLAN.json"))
        var plan: String

        @OptionGroup var deployment: DeploymentEmitOptions

        @Option(help: "Write the JSON here (atomically) instead of stdout.")
        var output: String?

        func run() async throws {
            let document = try DeploymentCLI.emit(planPath: plan, options: deployment.options())
            let text = DeploymentJSON.encode(document)
            if let output { try OutputFile.write(text, to: output) } else { Console.out(text) }
            for warning in document.warnings { Console.warning(warning) }
        }
    }

    /// `deployment lint FILE.json…`: `file:step N: error: …` on stderr.
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lint",
            abstract: "Check deployment-plan JSON files for CCM's pitfalls.",
            discussion: "Chained choco commands, scripts not ending in 'exit $LASTEXITCODE', infinite timeouts, server packages combined or out of order, steps without groups, an agent self-upgrade without the scheduled-task restart, clear-text secrets. Exit codes: 0 no errors (warnings allowed unless --strict); 1 errors; 2 a file cannot be read."
        )

        @Argument(help: ArgumentHelp("Deployment-plan JSON files (CCM exports or 'deployment emit' output); - reads standard input.", valueName: "FILE.json"))
        var files: [String]

        @Flag(help: "Treat warnings as errors for the exit code.")
        var strict = false

        @Option(help: "Output: text (diagnostics on stderr) or json (a list on stdout).")
        var format: OutputFormat = .text

        func run() async throws {
            var all: [Diagnostic] = []
            for file in files {
                let text: String
                do { text = try TextFile.read(atPath: file) } catch { throw CommandFailure.badInput(error.description) }
                all += DeploymentLinter.lint(Data(text.utf8), file: file)
            }
            try LintReport.finish(all, subject: "\(files.count) file(s)", format: format, strict: strict)
        }
    }
}

/// Shared steps of the deployment commands.
enum DeploymentCLI {
    /// For `plan --format deployment`: the import JSON of `plan` (print it with `Console.out`); the
    /// emitter's warnings go to stderr. A bad option or unusable step prints the error and exits 2.
    static func render(_ plan: UpgradePlan, options: DeploymentEmitOptions) throws -> String {
        let document: DeploymentPlanDocument
        do {
            document = try DeploymentEmitter.emit(plan: plan, options: try options.options())
        } catch let error as DeploymentError {
            throw CommandFailure.badInput(error.description)
        } catch let error as ValidationError {
            throw CommandFailure.badInput(error.message)
        }
        for warning in document.warnings { Console.warning(warning) }
        return DeploymentJSON.encode(document)
    }

    /// Loads and validates a plan, then emits; errors become exit code 2 with the message on stderr.
    static func emit(planPath: String, options: DeploymentOptions) throws -> DeploymentPlanDocument {
        do {
            let plan = try PlanValidator.load(path: planPath)
            return try DeploymentEmitter.emit(plan: plan, options: options)
        } catch let error as PlanningError {
            throw CommandFailure.badInput(error.description)
        } catch let error as DeploymentError {
            throw CommandFailure.badInput(error.description)
        }
    }
}
