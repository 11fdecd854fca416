import ArgumentParser
import CurlSupport
import Foundation
import Licensing
import Planning
import Repository

extension LicenseCommand {
    /// `license push FILE --source S`: build the package and push it, idempotently.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Build the chocolatey-license package and push it to the internal feed, idempotently.",
            discussion: """
                The same licence gives the same bytes, so pushing it again reports 'already present'. A different \
                package under the same version is never overwritten. The feed, its credentials and the API key come \
                from the feeds config, --api-key-env/--api-key-file or $CCM_UPGRADE_API_KEY, as for 'push'. Public \
                repositories are refused: the package contains the licence.
                Exit codes: 0 pushed or already present; 1 expired licence, failed push or a different package under \
                the same version; 2 bad input.
                """
        )

        @OptionGroup var license: LicenseFileOptions

        @Option(name: [.long, .customShort("s")], help: "The internal feed: a name from the feeds config, a v2 URL, a v3 index.json URL or a folder.")
        var source: String

        @OptionGroup var apiKey: APIKeyOptions

        @OptionGroup var timeout: PushTimeoutOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var feedOptions: FeedOptions

        func run() async throws {
            let licence = try license.loadUsable()
            let version = try license.version(for: licence)
            let settings = try feedOptions.settings()
            let target = try feedOptions.pushTarget(source, in: settings, apiKey: apiKey) { target in
                if let problem = LicensePackage.publicRepositoryProblem(target.location) { throw CommandFailure.badInput("--source: \(problem)") }
            }
            let folder = NSTemporaryDirectory() + "ccm-upgrade-license-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let built = try LicensePackage.build(licence, version: version, outputDirectory: folder)
            let feed = target.makeFeed(http: settings.httpClient(logger: .tool))
            let report = try await feed.push(fileAt: built.path, timeout: timeout.value(in: settings))
            if format == .json { Console.out(try Console.json(report)) }
            switch report.outcome {
            case let .pushed(status):
                if format == .text { Console.out("pushed \(report.identity) to \(feed.name)\(FeedOptions.answer(status, of: feed, refused: false)); next: 'ccm-upgrade license plan \(license.file) --source \(source)'") }
            case let .alreadyPresent(status):
                if format == .text { Console.out("already present: \(report.identity) on \(feed.name) with identical bytes\(FeedOptions.answer(status, of: feed, refused: true)); nothing to do") }
            case .differentContent:
                throw CommandFailure.problem(
                    "\(feed.name) already has \(report.identity) with different bytes (built from another licence file or by another tool, "
                        + "e.g. the Quick Start script); nothing was overwritten. If it carries this same licence, keep it and plan with "
                        + "'ccm-upgrade license plan'; otherwise remove \(report.identity) from the feed and push again, or push under a "
                        + "higher version: --package-version \(LicensePackage.nextVersion(after: version).normalized)")
            }
        }
    }

    /// `license plan FILE`: the roll-out and restarts as plan steps, or as a CCM deployment.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Plan the licence roll-out: upgrade chocolatey-license on the CCM hosts and client groups, then restart the service, the website and the agents.",
            discussion: """
                After the licence file is updated the agents, the CCM service and the website must be restarted \
                (Chocolatey's FAQ). The package must already be on the internal feed ('license push'). The plan runs \
                with 'ccm-upgrade run' like an upgrade plan; --format deployment writes the client part (and with \
                --include-server the CCM restarts) as CCM deployment-plan import JSON.
                Exit codes: 0 plan made; 1 expired licence or the package is not on the feed; 2 bad input.
                """
        )

        @OptionGroup var license: LicenseFileOptions
        @OptionGroup var estate: EstateOptions

        @Option(help: "Output: text, json (the plan file), powershell, or deployment (CCM's deployment-plan import JSON).")
        var format: PlanCommand.Format = .text

        @OptionGroup(title: "Deployment options (--format deployment)") var deployment: DeploymentEmitOptions

        @Option(help: "Also write the JSON plan file here (atomically), whatever --format says.")
        var output: String?

        @OptionGroup var matrixSource: MatrixSourceOptions

        func run() async throws {
            let licence = try license.loadUsable()
            let version = try license.version(for: licence)
            let matrix = try matrixSource.load()
            let context = try await estate.load(matrix: matrix, alsoList: [LicensePackage.id])
            var plan = try LicenseRenewalPlanner.plan(
                inventory: context.inventory, package: PinnedPackage(id: LicensePackage.id, version: version), feed: context.feed,
                source: context.source, generator: "ccm-upgrade \(CCMUpgrade.configuration.version)")
            plan.preflight = LicenseExpiry(licence).findings(for: licence)
            if let output { try OutputFile.write(try Console.json(plan), to: output) }
            switch format {
            case .text where plan.steps.isEmpty:
                Console.out("Nothing to do: every host and group of the inventory already has \(LicensePackage.id) \(version.normalized).")
            case .text: Console.out(PlanRendering.text(plan))
            case .json: Console.out(try Console.json(plan))
            case .powershell: Console.out(PlanRendering.powershell(plan))
            case .deployment: Console.out(try DeploymentCLI.render(plan, options: deployment))
            }
        }
    }
}
