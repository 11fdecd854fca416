import ArgumentParser
import Foundation
import Logging
import Repository
import Versioning

/// `ccm-upgrade download <id> [--version V] [--source S] [--output-directory D]`
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download one package from a feed, verified against the feed's SHA-512.",
        discussion: """
            The package is streamed to <dir>/<id>.<version>.nupkg.partial (resumed when a previous run left one), \
            checked against the feed's PackageHash when it publishes one and against the nuspec's id and version, then \
            renamed into place. A mismatch discards the file.
            Exit codes: 0 downloaded; 1 not found or the download failed; 2 bad flags or config.
            """
    )

    @Argument(help: "Package id.")
    var id: String

    @Option(help: "Version: latest (default), an exact version, or a range such as [10.0,11.0).")
    var version: String = "latest"

    @Option(name: [.long, .customShort("s")],
            help: "Source: a name from the config (community, licensed, ...), a v2 URL, a v3 index.json URL or a folder.")
    var source: String = "community"

    @Option(help: "Folder to write the package to.")
    var outputDirectory: String = "."

    @Flag(name: [.long, .customLong("pre")], help: "Allow prerelease versions for latest and ranges (choco's --pre works too).")
    var prerelease = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        let settings = try feedOptions.settings()
        let source = try feedOptions.source(source, in: settings)
        let policy: VersionPolicy
        do { policy = try VersionPolicy(parsing: version) } catch {
            throw CommandFailure.badInput(error.description)
        }
        let feed = source.makeFeed(http: settings.httpClient(logger: .tool))
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure.badInput("\(outputDirectory): cannot create the output folder: \(error.localizedDescription)")
        }
        let result: Result<DownloadedPackage?, FeedError>
        do throws(FeedError) {
            let versions = try await feed.versions(of: id)
            if let package = policy.select(from: versions, includePrerelease: prerelease) {
                result = .success(try await feed.download(package, toDirectory: outputDirectory,
                                                          progress: TransferProgress.reporter(label: package.description)))
            } else {
                Console.error("\(feed.name): no version of '\(id)' matching \(policy) (\(versions.count) versions listed)")
                result = .success(nil)
            }
        } catch {
            result = .failure(error)
        }
        switch result {
        case let .failure(error):
            throw CommandFailure.problem(error.description)
        case .success(nil):
            throw ExitCodes.problemsFound
        case let .success(downloaded?):
            if format == .json {
                Console.out(try Console.json(downloaded))
            } else {
                let check = downloaded.matchedFeedHash ? "SHA-512 matches the feed" : "the feed publishes no SHA-512"
                Console.out("downloaded \(downloaded.identity) to \(downloaded.path) (\(downloaded.size) bytes, \(check))")
            }
        }
    }
}
