import ArgumentParser
import Compatibility
import FileSupport
import Foundation
import Planning
import Repository

/// `ccm-upgrade bundle create|verify|push`: carry an upgrade's packages across an air gap.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Carry packages across an air gap: create a verified bundle on the connected side, check and push it inside.",
        discussion: """
            Connected side: 'bundle create' internalizes the packages of a plan (--plan) or of a selection (ids, \
            --package-list, --for-ccm, the CCM set) into a staging folder, then writes them with a manifest (id, \
            version, source, SHA-512 of every file, what was embedded, tool and matrix versions, the plan) into one \
            tar file. Inside: 'bundle verify' checks every hash; 'bundle push' (or 'internalize --from BUNDLE') checks \
            the whole bundle before pushing anything, then pushes idempotently.
            """,
        subcommands: [BundleCreateCommand.self, BundleVerifyCommand.self, BundlePushCommand.self]
    )
}

/// `ccm-upgrade bundle create --output BUNDLE (--plan PLAN | ids... | --package-list FILE | --for-ccm V)`
struct BundleCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Internalize a plan's or a selection's packages and write them, with a manifest, into one bundle file.",
        discussion: """
            Downloads go through the feed transport and every step is journaled in --work-directory: an interrupted \
            create resumes where it stopped. The bundle is written to a temporary file and renamed into place when \
            complete; it is not written at all when a package fails.
            Exit codes: 0 bundle written; 1 a package failed (no bundle written) or the bundle could not be written; \
            2 bad flags, plan, list or config.
            """
    )

    @Option(name: [.customShort("o"), .long], help: "The bundle file to write (a tar archive).")
    var output: String

    @Option(help: "A plan file (ccm-upgrade plan --output): bundle the packages of its internalize step, and the plan.")
    var plan: String?

    @OptionGroup var selection: PackageSelectionOptions

    @OptionGroup var embedOptions: EmbedOptions

    @Option(help: "Folder for the staging feed, downloads and journal (kept for resuming).")
    var workDirectory: String = "ccm-upgrade-bundle-work"

    @Option(help: "Output format of the summary: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        let settings = try feedOptions.settings()
        var planBytes: [UInt8]?
        let requests: [PackageRequest]
        if let plan {
            guard selection.isEmpty else { throw CommandFailure.badInput("--plan takes the plan's packages: give no ids, --package-list or --for-ccm with it") }
            let loaded: UpgradePlan
            do { loaded = try PlanValidator.load(path: plan) } catch { throw CommandFailure.badInput(error.description) }
            let pinned = loaded.steps.filter { $0.phase == .internalize }.flatMap(\.packages)
            guard !pinned.isEmpty else {
                throw CommandFailure.badInput("\(plan): the plan has no internalize step (its feed already had every package): nothing to bundle")
            }
            requests = pinned.map { package in
                let source = CCMCatalogue.standard.source(of: package.id)
                return PackageRequest(id: package.id, version: .exact(package.version), source: source == .licensed ? selection.licensedFrom : selection.from,
                                      ignoreDependencies: source == .licensed)
            }
            do { planBytes = Array(try Data(contentsOf: URL(fileURLWithPath: plan))) } catch {
                throw CommandFailure.badInput("\(plan): cannot read: \(error.localizedDescription)")
            }
        } else {
            requests = try selection.requests()
        }
        let staging = workDirectory + "/staging"
        let downloads = workDirectory + "/downloads"
        do {
            for folder in [staging, downloads] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        } catch {
            throw CommandFailure.badInput("\(workDirectory): cannot create the work folder: \(error.localizedDescription)")
        }
        // What internalize treats as licensed (copied byte for byte, never rewritten), by the same function.
        let licensedSources = selection.licensedSources(of: requests, in: settings, feedOptions: feedOptions)
        try embedOptions.checkNothingLicensedIsNamed(requests, explicitIds: selection.explicitIds(requests), licensedSources: licensedSources)
        let http = settings.httpClient(logger: .tool)
        let sources = try feedOptions.openSources(for: requests, in: settings, http: http)
        let stagingFeed = FolderFeed(path: staging)
        let journal: Journal
        do { journal = try Journal(path: workDirectory + "/internalize-journal.json", target: stagingFeed.name) } catch {
            throw CommandFailure.badInput(error.description)
        }
        var internalizer = Internalizer(sources: sources, target: stagingFeed, workDirectory: downloads, journal: journal,
                                        jobs: settings.transport.maxConcurrentTransfers, includePrerelease: selection.prerelease,
                                        pushTimeout: settings.pushTimeout, log: FeedOptions.log)
        // The same internalizing as `internalize`: community packages' downloads embedded unless --copy.
        internalizer.embedding = try embedOptions.settings(http: http, workDirectory: workDirectory, licensedSources: licensedSources)
        if StatusLine.shared.isTerminal { internalizer.progress = { StatusLine.shared.show(StatusLine.bar($0)) } }
        let matrix = (try? Matrix.embedded()).map { "embedded: " + $0.knownSpan }
        let creator = BundleCreator(internalizer: internalizer, stagingFolder: staging,
                                    tool: "ccm-upgrade \(CCMUpgrade.configuration.version)", matrix: matrix)
        let creation = try await creator.create(requests, plan: planBytes, to: output)
        StatusLine.shared.finish()
        Console.out(format == .json ? creation.summary.json : creation.summary.text)
        guard let manifest = creation.manifest else {
            let failed = creation.summary.items.filter { $0.status == .failed || $0.status == .differentContent }
                .map { "\($0.id) \($0.version ?? ""): \($0.detail ?? $0.status.rawValue)" }
            throw BundleError.incompleteSelection(failed: failed)
        }
        FeedOptions.log("bundle: \(output): \(manifest.packages.count) packages\(manifest.plan == nil ? "" : " and the plan"), manifest \(BundleManifest.entryName)")
    }
}

/// `ccm-upgrade bundle verify BUNDLE`
struct BundleVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every file of a bundle against its manifest (size and SHA-512; nothing missing, nothing extra).",
        discussion: "Exit codes: 0 the bundle is complete and intact; 1 it is not (the failing file is named); 2 no such file."
    )

    @Argument(help: "The bundle file.")
    var bundle: String

    @Option(help: "Output format: text or json (the manifest).")
    var format: OutputFormat = .text

    func run() async throws {
        guard FileManager.default.fileExists(atPath: bundle) else { throw CommandFailure.badInput("\(bundle): no such file") }
        let verified = try await BundleReader.verify(bundle)
        let manifest = verified.manifest
        if format == .json {
            Console.out(String(decoding: try manifest.encoded(), as: UTF8.self).trimmingCharacters(in: .newlines))
            return
        }
        Console.out("\(bundle): intact: \(manifest.files.count) files match the manifest (made by \(manifest.tool))")
        for package in manifest.packages {
            let embedded = package.embedded.isEmpty ? "" : ", \(package.embedded.count) embedded resource(s)"
            Console.out("  \(package.id) \(package.version) from \(package.source)\(embedded)")
        }
        if manifest.plan != nil { Console.out("  plan: \(BundleManifest.planEntryName)") }
    }
}

/// `ccm-upgrade bundle push BUNDLE --to TARGET` (also `internalize --from BUNDLE --to TARGET`)
struct BundlePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Check a whole bundle, then push its packages to the internal feed, idempotently.",
        discussion: """
            Nothing is pushed unless every file of the bundle matches the manifest. Packages the feed already holds \
            with the same bytes count as present; different bytes are reported and never overwritten.
            Exit codes: 0 every package pushed or already present; 1 the bundle failed its check (nothing pushed), or \
            a push failed or conflicts; 2 bad flags or config, or no such file.
            """
    )

    @Argument(help: "The bundle file.")
    var bundle: String

    @Option(name: [.long, .customShort("s")], help: "Target feed: a config name, a v2 URL, a v3 index.json URL or a folder.")
    var to: String

    @OptionGroup var apiKey: APIKeyOptions

    @Option(help: "Folder the bundle is extracted to while it is checked.")
    var workDirectory: String = "ccm-upgrade-packages"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        try await Self.push(bundle, to: to, apiKey: apiKey, feedOptions: feedOptions, workDirectory: workDirectory, format: format)
    }

    /// Shared with `internalize --from BUNDLE`.
    static func push(_ bundle: String, to: String, apiKey: APIKeyOptions, feedOptions: FeedOptions, workDirectory: String,
                     format: OutputFormat) async throws {
        guard FileManager.default.fileExists(atPath: bundle) else { throw CommandFailure.badInput("\(bundle): no such file") }
        let settings = try feedOptions.settings()
        let target = try feedOptions.pushTarget(to, in: settings, apiKey: apiKey)
        let importer = BundleImporter(target: target.makeFeed(http: settings.httpClient(logger: .tool)), workDirectory: workDirectory,
                                      pushTimeout: settings.pushTimeout, log: FeedOptions.log)
        let (_, summary) = try await importer.run(bundle)
        Console.out(format == .json ? summary.json : summary.text)
        if summary.hasProblems { throw ExitCodes.problemsFound }
    }

    /// Whether `reference` (an `internalize --from` value) is a bundle file rather than a feed: an existing
    /// regular file (feeds are names, URLs or folders).
    static func isBundle(_ reference: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
