import ArgumentParser
import Compatibility
import Deployment
import Diagnostics
import FileSupport
import Foundation
import Planning
import Repository
import Versioning

/// `ccm-upgrade plan --to <VERSION|latest>`
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan a CCM upgrade: preflight, then one package per step in the only safe order.",
        discussion: """
            Steps: internalize (if the internal feed lacks packages) → chocolatey/chocolatey.extension on the server \
            hosts → database → service → web → the agents on the CCM hosts → client groups. Every step is one \
            `choco upgrade` of one package, pinned with --version, from the internal feed, with -y.
            Exit codes: 0 plan made (or already at the target); 1 the upgrade is impossible or the target unknown; \
            2 bad input.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, powershell, deployment }

    @Option(help: "The CCM version to upgrade to, or 'latest' (the newest one whose packages the feeds have).")
    var to: String

    @OptionGroup var estate: EstateOptions

    @Option(help: "Output: text, json (the plan file), powershell, or deployment (CCM's deployment-plan import JSON).")
    var format: Format = .text

    @OptionGroup(title: "Deployment options (--format deployment)") var deployment: DeploymentEmitOptions

    @Option(help: "Also write the JSON plan file here (atomically), whatever --format says.")
    var output: String?

    @Flag(help: "Fail instead of adding an internalize step when the internal feed lacks packages.")
    var noInternalize = false

    @Option(help: "Client components: 'required' upgrades only what is below the target's minimum; 'latest' everything older than the newest compatible version.")
    var clients: Planner.ClientPolicy = .required

    @OptionGroup var matrixSource: MatrixSourceOptions

    @Option(help: ArgumentHelp("Also report this licence's expiry in the preflight (warning within 30 days; an expired licence stops the plan).", valueName: "chocolatey.license.xml"))
    var license: String?

    @Option(help: "A bundle (ccm-upgrade bundle create) to use as the view of the internal feed: the plan assumes the feed holds exactly the bundle's packages.")
    var bundle: String?

    func run() async throws {
        var plan: UpgradePlan
        let licenseFindings = try license.map(LicenseCheck.findingsRefusingExpired) ?? []
        do {
            let matrix = try matrixSource.load()
            var feedView: BundleFeed?
            if let bundle {
                do { feedView = try BundleFeed(path: bundle) } catch { throw CommandFailure.badInput("--bundle: \(error)") }
            }
            let context = try await estate.load(matrix: matrix, feedView: feedView)
            var options = Planner.Options(source: context.source)
            options.allowInternalize = !noInternalize
            options.clientPolicy = clients
            options.generator = "ccm-upgrade \(CCMUpgrade.configuration.version)"
            let target: Planner.Target
            if to.lowercased() == "latest" {
                target = .latest
            } else {
                do { target = .version(try NuGetVersion(parsing: to)) } catch { throw ValidationError("--to: \(error)") }
            }
            plan = try Planner(matrix: matrix).plan(inventory: context.inventory, parameters: context.parameters, target: target,
                                                    feed: context.feed, upstream: context.upstream, options: options)
        }
        plan.preflight += licenseFindings
        if let output { try OutputFile.write(try Console.json(plan), to: output) }
        switch format {
        case .text: Console.out(PlanRendering.text(plan))
        case .json: Console.out(try Console.json(plan))
        case .powershell: Console.out(PlanRendering.powershell(plan))
        case .deployment:
            Console.out(try DeploymentCLI.render(plan, options: deployment))
        }
        for finding in plan.preflight where finding.severity == .warning { DiagnosticPrinter.shared.report(finding.diagnostic) }
    }
}

/// Plans and deployment files are written atomically (FileSupport); a failure is a usage-level error.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        do { try AtomicFile.write(text + "\n", to: path) } catch { throw ValidationError("cannot write \(error)") }
    }
}
