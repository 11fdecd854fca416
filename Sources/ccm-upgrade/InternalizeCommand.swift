import ArgumentParser
import Compatibility
import Foundation
import Logging
import Repository
import FileSupport

/// `ccm-upgrade internalize --to TARGET [--ccm-set upgrade|setup] [ids...] [--package-list FILE]`
struct InternalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "internalize",
        abstract: "Internalize the CCM package set (or any packages) from their feeds into an internal feed.",
        discussion: """
            Without ids or --package-list, takes the CCM package set of the CCM docs: community packages (the .NET \
            runtimes, kept on the 10.x line) from 'community', licensed packages (chocolatey, chocolatey.extension, \
            chocolatey-agent, chocolatey-management-*) from 'licensed' with the license id as password and without \
            dependencies. Community packages are internalized: every file their scripts download is fetched, \
            verified against the script's checksum and embedded (or put at --resources-location), and the scripts are \
            rewritten to use it, so they install with no internet. Licensed packages are copied byte for byte, never \
            modified; --copy copies every package so. Dependencies are followed (lowest \
            version in range, NuGet's rule) unless the target already satisfies them. What the target already has is \
            skipped. Every step is written to the journal (atomically), so an interrupted run resumes. \
            Pulling straight from community.chocolatey.org prints a warning: name your repository's proxy of it \
            'community' in feeds.json.
            Exit codes: 0 everything pushed or already present; 1 a package failed, could not be internalized, or \
            conflicts (also: the feed holds the original, not internalized, package); 2 bad flags, config or list.
            """
    )

    @Argument(help: "Package ids (each optionally id@version or id@[range]); default: the CCM package set.")
    var ids: [String] = []

    @Option(help: "File with one package per line: id [version|latest|range] [source]; # starts a comment.")
    var packageList: String?

    @Option(help: "CCM package set when no ids are given: upgrade (docs upgrade script) or setup (docs setup script).")
    var ccmSet: CCMPackageSet = .upgrade

    @Option(help: "Take exactly what this CCM version needs per the compatibility matrix (server packages, clients, .NET prerequisites).")
    var forCcm: String?

    @Option(name: [.long, .customLong("source"), .customShort("s")],
            help: "Source for ids and list lines without one (a config name, URL or folder); choco's -s/--source work too.")
    var from: String = "community"

    @Option(help: "Source name or location for the licensed packages of the CCM set.")
    var licensedFrom: String = "licensed"

    @Option(help: "Target feed: a config name, a v2 URL, a v3 index.json URL or a folder.")
    var to: String

    @OptionGroup var apiKey: APIKeyOptions

    @Option(help: "Folder for downloads (kept for resuming).")
    var workDirectory: String = "ccm-upgrade-packages"

    @Option(help: "Journal file (default: <work-directory>/internalize-journal.json).")
    var journal: String?

    @Flag(name: [.long, .customLong("pre")], help: "Allow prerelease versions (choco's --pre works too).")
    var prerelease = false

    @Flag(help: "Do not follow dependencies of the given ids / list entries.")
    var ignoreDependencies = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var embedOptions: EmbedOptions

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        if BundlePushCommand.isBundle(from) { // --from BUNDLE: the air-gapped side of a bundle
            return try await BundlePushCommand.push(from, to: to, apiKey: apiKey, feedOptions: feedOptions, workDirectory: workDirectory, format: format)
        }
        let settings = try feedOptions.settings()
        var target = try feedOptions.source(to, in: settings)
        try apiKey.apply(to: &target)
        try feedOptions.prepareTarget(target)
        let requests = try buildRequests()
        var licensedSources: Set<String> = [licensedFrom]
        for (name, source) in settings.sources where source.location.lowercased() == FeedSettings.licensedURL { licensedSources.insert(name) }
        for name in Set(requests.map(\.source)) where (try? feedOptions.source(name, in: settings))?.location.lowercased() == FeedSettings.licensedURL {
            licensedSources.insert(name)
        }
        try embedOptions.checkNothingLicensedIsNamed(requests, explicitIds: explicitIds(requests), licensedSources: licensedSources)
        let http = settings.httpClient(logger: .tool)
        var sources: [String: any PackageFeed] = [:]
        for name in Set(requests.map(\.source)).sorted() {
            let source = try feedOptions.source(name, in: settings)
            if let warning = FeedSettings.directCommunityWarning(for: source) { Console.warning(warning) }
            sources[name] = source.makeFeed(http: http)
        }
        if requests.contains(where: { $0.source == "licensed" }), settings.sources["licensed"]?.credentials == nil {
            Console.warning("no credentials for the licensed repository: set \(FeedSettings.Environment.licenseId) to your license id "
                + "or configure 'licensed' in the feeds config")
        }
        do {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.badInput("\(workDirectory): cannot create the work folder: \(error.localizedDescription)")
        }
        let targetFeed = target.makeFeed(http: http)
        let journalFile: Journal
        do {
            journalFile = try Journal(path: journal ?? workDirectory + "/internalize-journal.json", target: targetFeed.name)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var internalizer = Internalizer(sources: sources, target: targetFeed, workDirectory: workDirectory, journal: journalFile,
                                        jobs: settings.transport.maxConcurrentTransfers, includePrerelease: prerelease,
                                        pushTimeout: settings.pushTimeout, log: FeedOptions.log)
        internalizer.embedding = try embedOptions.settings(http: http, workDirectory: workDirectory, licensedSources: licensedSources)
        if StatusLine.shared.isTerminal {
            internalizer.progress = { StatusLine.shared.show(StatusLine.bar($0)) }
        }
        let summary = await internalizer.run(requests)
        StatusLine.shared.finish()
        Console.out(format == .json ? summary.json : summary.text)
        if summary.hasProblems { throw ExitCodes.problemsFound }
    }

    /// Ids the user named (arguments and list lines), lower case: the packages `--embed` is asked for.
    func explicitIds(_ requests: [PackageRequest]) -> Set<String> {
        guard !ids.isEmpty || packageList != nil else { return [] }
        let named = Set(ids.map { ($0.split(separator: "@", maxSplits: 1).first.map(String.init) ?? $0).lowercased() })
        return packageList == nil ? named : named.union(requests.map { $0.id.lowercased() })
    }

    func buildRequests() throws -> [PackageRequest] {
        var requests: [PackageRequest] = []
        do {
            for argument in ids {
                let parts = argument.split(separator: "@", maxSplits: 1).map(String.init)
                let policy = try VersionPolicy(parsing: parts.count > 1 ? parts[1] : "latest")
                requests.append(PackageRequest(id: parts[0], version: policy, source: from))
            }
            if let packageList {
                let text: String
                do { text = try TextFile.read(atPath: packageList) } catch { throw CommandFailure.badInput(error.description) }
                requests += try PackageListFile.parse(text, file: packageList, defaultSource: from)
            }
        } catch let error as FeedError {
            throw CommandFailure.badInput(error.description)
        }
        if ignoreDependencies { requests = requests.map { var request = $0; request.ignoreDependencies = true; return request } }
        if let forCcm {
            requests += try Self.requests(forCCM: forCcm, community: from, licensed: licensedFrom)
        } else if requests.isEmpty {
            requests = ccmSet.requests(licensedIDs: CCMCatalogue.standard.ccmLicensedIDs, community: from, licensed: licensedFrom)
        }
        return requests
    }
}

extension CCMPackageSet: ExpressibleByArgument {}
