import ArgumentParser
import Deployment
import Diagnostics
import Foundation
import Logging
import Planning
import FileSupport
import CurlSupport

/// Where CCM is and who logs in. Username and password come from the environment, a file or a prompt,
/// never from the command line; TLS is always verified (`--ca-bundle` for a private CA).
struct CCMConnectionArguments: ParsableArguments {
    @Option(help: ArgumentHelp("The CCM website, e.g. https://ccm.example.com (default: $CCM_URL).", valueName: "URL"))
    var url: String?

    @Option(help: ArgumentHelp("Where the CCM username comes from: env:NAME, file:PATH or prompt.", valueName: "REF"))
    var usernameFrom = "env:CCM_USERNAME"

    @Option(help: ArgumentHelp("Where the CCM password comes from: env:NAME, file:PATH or prompt.", valueName: "REF"))
    var passwordFrom = "env:CCM_PASSWORD"

    @Option(help: ArgumentHelp("A PEM file of CA certificates to trust for CCM (verification is never turned off).", valueName: "FILE"))
    var caBundle: String?

    @Flag(help: "Accept an http:// CCM address (CCM before 0.17.0 serves http on port 80 by default). The password then crosses the network in clear text; a warning says so.")
    var allowHttp = false

    func client() throws -> CCMClient {
        guard let url = url ?? ProcessInfo.processInfo.environment["CCM_URL"], !url.isEmpty else {
            throw ValidationError("give --url or set CCM_URL to the CCM website address")
        }
        if let caBundle, !FileManager.default.isReadableFile(atPath: caBundle) {
            throw ValidationError("--ca-bundle: cannot read \(caBundle)")
        }
        let username = try resolve(usernameFrom, what: "username", flag: "--username-from")
        let password = try resolve(passwordFrom, what: "password", flag: "--password-from")
        let client: CCMClient
        do {
            client = try CCMClient(baseURL: url, credentials: Credentials(username: username, password: Secret(password)),
                                   options: CCMConnectionOptions(caBundle: caBundle, allowPlainHTTP: allowHttp), logger: .tool)
        } catch {
            throw ValidationError(error.description)
        }
        if client.isPlainHTTP {
            Console.warning("--allow-http: \(client.baseURL) is plain http: the CCM password and session cookie cross the network in clear text; bind the website to https (required from CCM 0.17.0) as soon as you can")
        }
        return client
    }

    private func resolve(_ text: String, what: String, flag: String) throws -> String {
        do {
            let reference = try SecretReference(parsing: text, field: "CCM \(what)")
            return try reference.resolve(prompt: { _ in SecretReference.readHidden("CCM \(what): ") })
        } catch {
            throw ValidationError("\(flag): \(DeploymentError.secretUnavailable(what: what, reason: error.description))")
        }
    }
}

/// Polling for `--wait`.
struct WaitArguments: ParsableArguments {
    @Flag(help: "Wait until the plan finishes, showing progress.")
    var wait = false

    @Option(help: "Seconds between polls.")
    var interval: Double = 30

    @Option(help: "Give up after this many polls.")
    var maxPolls = 480

    @Option(help: "Extra polls before an Inconclusive result counts as final (agents 1.1.0+ retry after a restart).")
    var inconclusivePolls = 3

    /// Range checks: `--interval 1e300` overflowed the sleep and crashed.
    func validate() throws {
        guard interval.isFinite, (0...3600).contains(interval) else {
            throw ValidationError("--interval: \(interval) is out of range: expected 0 to 3600 seconds")
        }
        guard (1...100_000).contains(maxPolls) else {
            throw ValidationError("--max-polls: \(maxPolls) is out of range: expected 1 to 100000 polls")
        }
        guard (0...1000).contains(inconclusivePolls) else {
            throw ValidationError("--inconclusive-polls: \(inconclusivePolls) is out of range: expected 0 to 1000 polls")
        }
    }
}

extension DeploymentCommand {
    /// `deployment push FILE`: create the plan in CCM (Draft), move it to Ready, optionally start and wait.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Create a deployment plan in CCM from a ccm-upgrade plan or a deployment JSON file.",
            discussion: "With a ccm-upgrade plan, group names are resolved through Groups/GetAll. --method steps (default) uses DeploymentPlans/CreateOrEdit plus one DeploymentSteps/CreateOrEdit(Privileged) per step; --method import posts the import JSON (CCM 0.11.0+). The plan is then read back (GetDeploymentPlanForEdit): unless every step kept its target groups it stays Draft. Exit codes: 0 created (and finished Success with --wait); 1 CCM refused, a step lost or lacks its groups, or the plan did not succeed; 2 bad input."
        )

        @Argument(help: ArgumentHelp("A ccm-upgrade plan (plan.json) or a deployment-plan JSON file.", valueName: "FILE"))
        var file: String

        @OptionGroup var connection: CCMConnectionArguments
        @OptionGroup var deployment: DeploymentEmitOptions

        @Option(help: "steps (CreateOrEdit per step, CCM 0.4.0+) or import (DeploymentPlans/Import, CCM 0.11.0+).")
        var method: CreateMethod = .steps

        @Flag(inversion: .prefixedNo, help: "Move the plan to Ready after creating it.")
        var ready = true

        @Flag(help: "Start the plan right away (needs Ready).")
        var start = false

        @OptionGroup var waiting: WaitArguments

        @Option(help: "Output: text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            let client = try connection.client()
            let (document, groups) = try await load(client: client)
            for warning in document.warnings where !warning.hasPrefix("NO GROUP IDS") { Console.warning(warning) }
            // Nothing is created from a document with lint errors (hand-made files, mostly).
            let errors = DeploymentLinter.lint(document, file: file).filter { $0.severity == .error }
            if !errors.isEmpty {
                DiagnosticPrinter.shared.report(errors)
                throw CommandFailure.problem("\(file): \(errors.count) lint error(s); nothing was created in CCM (see 'ccm-upgrade deployment lint')")
            }
            let id = try await client.create(document, groups: groups, method: method)
            Console.out("created deployment plan \(id) '\(document.name)' (Draft) in \(client.baseURL)")
            guard ready else { return }
            // Read the plan back: Import may not keep DeploymentStepGroupIds (unverified), and a step without
            // groups runs nowhere. Nothing is moved to Ready or started unless every step targets its groups.
            var expected: [Int: [Int]] = [:]
            for (index, step) in document.deploymentSteps.enumerated() where index < groups.count {
                expected[step.planOrder] = groups[index].map(\.id)
            }
            try await DeploymentCLI.requireTargets(client: client, id: id, expected: expected)
            try await client.moveToReady(id)
            Console.out("deployment plan \(id) is Ready")
            guard start else { return }
            try await client.start(id)
            Console.out("deployment plan \(id) started")
            if waiting.wait { try await DeploymentCLI.waitAndReport(client: client, id: id, waiting: waiting, format: format) }
        }

        /// The document and each step's groups (ids with names), from a plan or a deployment file.
        private func load(client: CCMClient) async throws -> (DeploymentPlanDocument, [[(id: Int, name: String)]]) {
            let data: Data
            do { data = Data(try TextFile.read(atPath: file).utf8) } catch { throw CommandFailure.badInput(error.description) }
            if (try? JSONValue.parse(data))?["DeploymentSteps"] != nil {
                let document = try DocumentReader.load(path: file)
                return (document, document.deploymentSteps.map { $0.deploymentStepGroupIds.map { ($0, "") } })
            }
            var options = try deployment.options()
            if options.groupIDs == nil { options.groupIDs = try await client.groups() }
            let document = try DeploymentCLI.emit(planPath: file, options: options)
            let directory = options.groupIDs!
            let groups = document.deploymentSteps.map { step in step.targetGroupNames.compactMap { name in directory.id(of: name).map { ($0, name) } } }
            return (document, groups)
        }
    }

    /// `deployment start --id N`: start a Ready plan (or move a Draft to Ready first).
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start a CCM deployment plan.",
            discussion: "The plan is read back first (DeploymentPlans/GetDeploymentPlanForEdit): a plan with a step that targets no group is not started. Exit codes: 0 started (and finished Success with --wait); 1 CCM refused, a step targets nothing, or the plan did not succeed; 2 bad input."
        )

        @OptionGroup var plan: PlanOnCCM

        @Flag(help: "Move the plan to Ready first (a Draft cannot start).")
        var moveToReady = false

        func run() async throws {
            let client = try plan.connection.client()
            try await DeploymentCLI.requireTargets(client: client, id: plan.id, expected: nil)
            if moveToReady { try await client.moveToReady(plan.id) }
            try await client.start(plan.id)
            Console.out("deployment plan \(plan.id) started")
            if plan.waiting.wait { try await plan.waitAndReport(client) }
        }
    }

    /// `deployment status --id N`: the plan's state, each step and each computer.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show a CCM deployment plan's state, steps and per-computer results.",
            discussion: "Exit codes: 0 Success, or not finished without --wait; 1 Failed, Unreachable, Inconclusive or Cancelled (or CCM refused); 2 bad input."
        )

        @OptionGroup var plan: PlanOnCCM

        func run() async throws {
            let client = try plan.connection.client()
            if plan.waiting.wait {
                try await plan.waitAndReport(client)
            } else {
                let status = try await client.status(plan.id)
                try DeploymentCLI.report(status, format: plan.format)
                guard status.listed else {
                    throw CommandFailure.problem("CCM does not list deployment plan \(plan.id) (DeploymentPlans/GetAllPaged, archived or not): check the id, and that this account can see the plan")
                }
                if status.result.isTerminal, status.result != .success { throw ExitCodes.problemsFound }
            }
        }
    }

    /// `deployment groups`: CCM's group names and ids, as a groups file for `emit --groups-file`.
    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "groups",
            abstract: "List CCM's groups (Groups/GetAll) as a groups file for 'deployment emit --groups-file'.",
            discussion: "Exit codes: 0 listed; 1 CCM refused; 2 bad input."
        )

        @OptionGroup var connection: CCMConnectionArguments

        @Option(help: "Write the groups file here (atomically) instead of stdout.")
        var output: String?

        func run() async throws {
            let directory = try await connection.client().groups()
            if let output { try OutputFile.write(directory.fileText, to: output) } else { Console.out(directory.fileText) }
        }
    }

    /// `deployment cancel --id N`: running steps finish, later steps do not start.
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a CCM deployment plan (running steps finish; later steps are Cancelled).",
            discussion: "The only way out of a step stalled by an infinite timeout. Exit codes: 0 cancelled; 1 CCM refused; 2 bad input."
        )

        @Option(help: "The deployment plan id.")
        var id: Int

        @OptionGroup var connection: CCMConnectionArguments

        func run() async throws {
            try await connection.client().cancel(id)
            Console.out("deployment plan \(id) cancelled")
        }
    }
}

/// A deployment plan in CCM to act on and watch: `--id`, the connection, `--wait` and its pacing, `--format`
/// (shared by `start` and `status`).
struct PlanOnCCM: ParsableArguments {
    @Option(help: "The deployment plan id.")
    var id: Int

    @OptionGroup var connection: CCMConnectionArguments
    @OptionGroup var waiting: WaitArguments

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    /// Waits for the plan to end, printing each change of state, then reports (exit 1 unless Success).
    func waitAndReport(_ client: CCMClient) async throws {
        try await DeploymentCLI.waitAndReport(client: client, id: id, waiting: waiting, format: format)
    }
}

extension DeploymentCLI {
    /// Refuses (exit 1) when CCM says a step of plan `id` targets no group, or other groups than it was
    /// created with; warns when CCM's answer does not say.
    static func requireTargets(client: CCMClient, id: Int, expected: [Int: [Int]]?) async throws {
        let check: TargetCheck
        do {
            check = try await client.targets(of: id, expected: expected)
        } catch {
            throw CommandFailure.problem("deployment plan \(id) is not moved to Ready or started: reading it back to check its target groups failed: \(error.description)")
        }
        if !check.unknown.isEmpty {
            Console.warning("CCM's answer does not show the target groups of step(s) \(check.unknown.map { String($0.planOrder) }.joined(separator: ", ")) of plan \(id): check them in CCM (Deployments → plan \(id))")
        }
        guard check.canStart else {
            throw CommandFailure.problem("deployment plan \(id) is not moved to Ready or started: \(check.problems.joined(separator: "; ")); select the groups in CCM (Deployments → edit plan \(id)), then run 'ccm-upgrade deployment start --id \(id) --move-to-ready'")
        }
    }
}
