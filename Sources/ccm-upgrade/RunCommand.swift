import ArgumentParser
import Compatibility
import Diagnostics
import Foundation
import Logging
import Nupkg
import Planning
import RemoteHosts
import Repository
import Versioning

/// `ccm-upgrade run plan.json`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plan's steps, one at a time, on this machine and on the CCM hosts over SSH, with a journal and resume.",
        discussion: """
            The plan is re-validated on load. Each host's steps run where --inventory says (`ssh:` or `local: true`; \
            --host names this machine), in the plan's order across hosts: `choco upgrade <one package> --version <v> \
            --source <feed> -y`, secrets over SSH on standard input. Before step 1 every host, secret, feed package \
            and installed version is checked; a run that cannot finish does not start. Each step is journalled as \
            started before choco runs and verified afterwards by reading the installed version on its host; a rerun \
            after a kill or a lost connection reads that version before deciding. A step on a host the run does not \
            reach stops the run with the command to run there; after it succeeded there, record it with --confirm STEP. \
            A restart step (licence renewal) runs its allow-listed PowerShell (--powershell) and is verified by its \
            exit code. Client-group steps are listed (run them through CCM deployments).
            Exit codes: 0 done; 1 a step failed, a host was unreachable, the plan is stale or the run would not \
            finish; 2 bad input (plan, journal, --host, --confirm); 3 waiting for a step on another host; 130 interrupted.
            """
    )

    @Argument(help: "The plan file written by `ccm-upgrade plan --output`.")
    var planFile: String

    @Option(help: "This host's name as the plan names it (default: the machine's name).")
    var host: String?

    @Option(help: "The choco executable.")
    var choco = "choco"

    @Option(help: "The PowerShell executable for restart steps (a licence renewal's service, website and agent restarts).")
    var powershell = "powershell"

    @Option(help: "Chocolatey's lib folder, to verify installed versions (default: $ChocolateyInstall/lib, else C:\\ProgramData\\chocolatey\\lib).")
    var lib: String?

    @Option(help: "The journal file (default: <plan>.journal).")
    var journal: String?

    @Flag(help: "Print exactly what would run (secrets masked); run nothing.")
    var dryRun = false

    @Flag(help: "When a known error appears (e.g. 'Padding is invalid'), apply the documented fix and retry the step once.")
    var applyKnownFixes = false

    @Option(help: "Record that step N (on another host) succeeded there.")
    var confirm: Int?

    @Option(help: "The inventory the plan was made from: each host's steps run where its `ssh:` (or `local: true`) says; a fresh run is refused when the estate changed since.")
    var inventory: String?

    @Option(help: "An ssh config file to use instead of yours (ssh -F): host aliases, keys, known_hosts for a CI runner or a jump box.")
    var sshConfig: String?

    @OptionGroup var feedOptions: FeedOptions

    @OptionGroup var matrixSource: MatrixSourceOptions

    func run() async throws {
        let plan: UpgradePlan
        do { plan = try PlanValidator.load(path: planFile) } catch {
            throw CommandFailure.badInput(error.description)
        }
        let libFolder = lib ?? ProcessInfo.processInfo.environment["ChocolateyInstall"].map { $0 + "/lib" } ?? "C:\\ProgramData\\chocolatey\\lib"
        let machineName = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        let hostName = host ?? machineName
        let current = try inventory.map { path throws -> Inventory in
            do { return try Inventory.loadForPlan(path: path) } catch {
                throw CommandFailure.badInput("\(error)")
            }
        }
        let local = LocalChocoHost(choco: choco, powershell: powershell, libFolder: libFolder) { id in
            ChocolateyLib.installedVersion(of: id, lib: libFolder)
        }
        let hosts = Self.hosts(of: plan, thisMachine: hostName, local: local, inventory: current, sshConfig: sshConfig)
        var configuration = PlanRunner.Configuration(hosts: hosts, journalPath: journal ?? planFile + ".journal")
        configuration.namedHost = host
        configuration.dryRun = dryRun
        configuration.applyKnownFixes = applyKnownFixes
        configuration.log = { DiagnosticPrinter.shared.log($0) }
        configuration.chocoOutput = { DiagnosticPrinter.shared.log("  choco: " + $0) }
        configuration.powershellOutput = { DiagnosticPrinter.shared.log("  powershell: " + $0) }
        // Loaded once: each load prints the config's warnings (a disabled TLS check, loudly).
        let loaded = Result { try feedOptions.settings() }
        let feed = (try? loaded.get()).flatMap { try? feedOptions.openFeed(plan.source, in: $0).feed }
        let options = feedOptions
        configuration.internalize = { packages in
            switch loaded {
            // Nothing was printed when loading failed: the reason goes into the step's failure.
            case let .failure(error): return "the feeds config could not be loaded: \(error)"
            case let .success(settings):
                return await Self.internalize(packages, into: plan.source, workDirectory: planFile + ".packages", options: options,
                                              settings: settings)
            }
        }
        if let feed {
            configuration.feedHas = { id, version in (try? await feed.contains(id: id, version: version)) ?? false }
        }
        let runner = PlanRunner(plan: plan, configuration: configuration)
        if let confirm {
            Console.out(try runner.confirm(step: confirm))
            return
        }
        // A fresh run refuses a plan whose estate or feed changed since planning; a resumed run has already
        // changed both itself (internalize, finished steps), so it relies on the per-step checks.
        let journalPath = journal ?? planFile + ".journal"
        let fresh = (try? RunJournal.load(path: journalPath, plan: plan).entries.isEmpty) ?? true
        if fresh, !dryRun {
            var versions: [String: [NuGetVersion]]?
            if let feed {
                var listed: [String: [NuGetVersion]] = [:]
                for id in plan.feedFingerprintPackages {
                    guard let found = try? await feed.versions(of: id) else { listed = [:]; break }
                    listed[id] = found.filter(\.isListed).map(\.version)
                }
                versions = listed.isEmpty && !plan.feedFingerprintPackages.isEmpty ? nil : listed
            }
            if let reason = plan.staleness(inventory: current, feed: versions) {
                throw CommandFailure.problem("the plan is stale: \(reason); make a new plan with `ccm-upgrade plan`")
            }
            // The preflight again, with this binary's matrix (or --matrix): the estate after the plan must pass.
            if let current {
                let errors = Planner(matrix: try matrixSource.load()).preflightErrors(inventory: current, steps: plan.steps)
                if !errors.isEmpty {
                    DiagnosticPrinter.shared.report(errors.map(\.diagnostic))
                    throw CommandFailure.problem("the plan fails the preflight: the estate after it would not pass the compatibility matrix")
                }
            }
        }
        let outcome = try await runner.run()
        switch outcome {
        case let .completed(ran, elsewhere):
            Console.out(ran.isEmpty ? "nothing left to run" : "ran steps \(ran.map(String.init).joined(separator: ", "))")
            if !elsewhere.isEmpty {
                Console.out("client groups (run through a CCM deployment, `ccm-upgrade deployment emit`, or on each client):")
                for line in elsewhere { Console.out("  " + line) }
            }
        case let .waitingForHost(step, host, command):
            Console.out("step \(step) runs on host \(host): \(command)")
            Console.out("after it succeeded there: ccm-upgrade run \(planFile) --confirm \(step)")
            throw ExitCode(3)
        case let .failed(step, reason):
            Console.error("step \(step) failed: \(reason)")
            throw CommandFailure.problem("later steps were not started; fix the cause and run again to resume at step \(step)")
        case let .interrupted(nextStep):
            Console.error("stopped before step \(nextStep); the steps before it are done and journalled")
        case let .dryRun(commands, blockers):
            for blocker in blockers { DiagnosticPrinter.shared.log("warning: a real run would not start: \(blocker)") }
            for command in commands { Console.out(command) }
        }
    }

    /// Where each of the plan's hosts runs its steps: this machine for `--host` (or the machine's name, or an
    /// inventory host with `local: true`); over SSH for an inventory host with `ssh:`; absent (the admin runs
    /// those steps and confirms them) otherwise.
    static func hosts(of plan: UpgradePlan, thisMachine: String, local: LocalChocoHost, inventory: Inventory?,
                      sshConfig: String?) -> [String: any ChocoHost] {
        var hosts: [String: any ChocoHost] = [:]
        for name in Set(plan.steps.compactMap(\.host)) {
            if name.lowercased() == thisMachine.lowercased() {
                hosts[name] = local
                continue
            }
            switch inventory?.hosts.first(where: { $0.name.lowercased() == name.lowercased() })?.address {
            case .local?: hosts[name] = local
            case let .ssh(destination, port, shell)?:
                let session = SSHSession(name: name, destination: destination, port: port, shell: shell, configFile: sshConfig)
                hosts[name] = RemoteChocoHost(session, location: "ssh \(destination)" + (port.map { ":\($0)" } ?? ""))
            case nil: break
            }
        }
        return hosts
    }

    /// The internalize step: each missing package from its upstream feed (the catalogue's `source`: licensed
    /// packages and chocolatey from the licensed feed, as Chocolatey's upgrade script does; the rest from the
    /// community feed) into the internal feed, as `internalize` does by default — licensed packages byte for
    /// byte, community ones with their installers embedded and verified; nil on success, else the problems.
    static func internalize(_ packages: [PinnedPackage], into target: String, workDirectory: String, options: FeedOptions,
                            settings: FeedSettings) async -> String? {
        do {
            let http = settings.httpClient(logger: .tool)
            let community = try options.source("community", in: settings).makeFeed(http: http)
            let licensed = try options.source("licensed", in: settings).makeFeed(http: http)
            let targetFeed = try options.configuredSource(target, in: settings).makeFeed(http: http)
            let requests = packages.map { package in
                let source = CCMCatalogue.standard.source(of: package.id)
                return PackageRequest(id: package.id, version: .exact(package.version), source: source.rawValue,
                                      ignoreDependencies: source == .licensed)
            }
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
            let journal = try Journal(path: workDirectory + "/internalize-journal.json", target: targetFeed.name)
            var internalizer = Internalizer(sources: ["community": community, "licensed": licensed], target: targetFeed,
                                            workDirectory: workDirectory, journal: journal, pushTimeout: settings.pushTimeout,
                                            log: FeedOptions.log)
            internalizer.embedding = EmbedOptions.defaults(http: http, workDirectory: workDirectory, licensedSources: ["licensed"])
            let summary = await internalizer.run(requests)
            DiagnosticPrinter.shared.log(summary.text)
            return summary.hasProblems ? "see the summary above" : nil
        } catch {
            return "\(error)"
        }
    }
}
