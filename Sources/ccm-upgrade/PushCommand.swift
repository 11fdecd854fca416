import ArgumentParser
import CurlSupport
import Foundation
import Logging
import Repository

/// `ccm-upgrade push <file.nupkg>... --source S [--api-key-env NAME]`
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push packages to a feed, idempotently.",
        discussion: """
            Uploads with a streamed multipart PUT and X-NuGet-ApiKey (v2, or the v3 PackagePublish resource); a folder \
            source gets a copy. When the feed refuses a package (409, minchoc's 400, ...) it is read back: identical \
            bytes count as already present; different bytes under the same id and version are a conflict and \
            nothing is overwritten. The API key comes from --api-key-env/--api-key-file, the config, or \
            $CCM_UPGRADE_API_KEY, never from the command line.
            Exit codes: 0 every package pushed or already present; 1 a push failed or conflicts; 2 bad flags, config or files.
            """
    )

    @Argument(help: "Package files to push.")
    var files: [String]

    @Option(name: [.long, .customShort("s")], help: "Target: a name from the config, a v2 URL (push URL per NuGet's rule), a v3 index.json URL or a folder.")
    var source: String

    @OptionGroup var apiKey: APIKeyOptions

    @OptionGroup var timeout: PushTimeoutOptions

    @Flag(help: "Read each pushed package back and compare its SHA-512.")
    var verify = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var feedOptions: FeedOptions

    func run() async throws {
        let settings = try feedOptions.settings()
        let target = try feedOptions.pushTarget(source, in: settings, apiKey: apiKey)
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw CommandFailure.badInput("\(file): no such file")
        }
        let feed = target.makeFeed(http: settings.httpClient(logger: .tool))
        var reports: [PushReport] = []
        var failed = false
        for file in files {
            let result: Result<PushReport, FeedError>
            do throws(FeedError) {
                result = .success(try await feed.push(fileAt: file, timeout: timeout.value(in: settings), verify: verify))
            } catch {
                result = .failure(error)
            }
            switch result {
            case let .failure(error):
                failed = true
                Console.error(error.description)
            case let .success(report):
                reports.append(report)
                switch report.outcome {
                case let .pushed(status):
                    if format == .text { Console.out("pushed \(report.identity) to \(feed.name)\(FeedOptions.answer(status, of: feed, refused: false))") }
                case let .alreadyPresent(status):
                    if format == .text { Console.out("already present: \(report.identity) on \(feed.name) with identical bytes\(FeedOptions.answer(status, of: feed, refused: true))") }
                case let .differentContent(feedHash):
                    failed = true
                    Console.error("\(feed.name) already has \(report.identity) with different bytes (feed SHA-512 \(feedHash), "
                        + "\(file) \(report.sha512?.base64 ?? "?")); nothing was overwritten")
                }
            }
        }
        if format == .json { Console.out(try Console.json(reports)) }
        if failed { throw ExitCodes.problemsFound }
    }
}
