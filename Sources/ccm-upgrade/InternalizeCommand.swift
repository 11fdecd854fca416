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

    @OptionGroup var selection: PackageSelectionOptions

    @Option(help: "Target feed: a config name, a v2 URL, a v3 index.json URL or a folder.")
    var to: String

    @OptionGroup var apiKey: APIKeyOptions

    @Option(help: "Folder for downloads (kept for resuming).")
    var workDirectory: String = "ccm-upgrade-packages"

    @Option(help: "Journal file (default: <work-directory>/internalize-journal.json).")
    var journal: String?

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var embedOptions: EmbedOptions

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        if BundlePushCommand.isBundle(selection.from) { // --from BUNDLE: the air-gapped side of a bundle
            return try await BundlePushCommand.push(selection.from, to: to, apiKey: apiKey, feedOptions: feedOptions, workDirectory: workDirectory, format: format)
        }
        let settings = try feedOptions.settings()
        let target = try feedOptions.pushTarget(to, in: settings, apiKey: apiKey)
        let requests = try selection.requests()
        let licensedSources = selection.licensedSources(of: requests, in: settings, feedOptions: feedOptions)
        try embedOptions.checkNothingLicensedIsNamed(requests, explicitIds: selection.explicitIds(requests), licensedSources: licensedSources)
        let http = settings.httpClient(logger: .tool)
        let sources = try feedOptions.openSources(for: requests, in: settings, http: http)
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
                                        jobs: settings.transport.maxConcurrentTransfers, includePrerelease: selection.prerelease,
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
}
