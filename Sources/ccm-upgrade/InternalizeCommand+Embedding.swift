import ArgumentParser
import Compatibility
import CurlSupport
import Foundation
import Internalization
import Nupkg
import Repository

/// `internalize`'s flags for what happens to a community package's downloads (Chocolatey's meaning of the
/// word): embedded by default, or placed at a resources location, or nothing (`--copy`).
struct EmbedOptions: ParsableArguments {
    @Flag(help: "Copy packages byte for byte: do not internalize the installers their scripts download.")
    var copy = false

    @Flag(help: "Internalize (the default); with it, naming a licensed package is an error instead of a byte-for-byte copy.")
    var embed = false

    @Option(help: "Put the downloaded resources in this folder (a mounted share) or at this http(s) location (raw PUT) instead of inside the packages.")
    var resourcesLocation: String?

    @Option(help: "The resources location as the Windows clients reach it (e.g. \\\\fs\\choco for a share mounted here), when it differs.")
    var resourcesScriptLocation: String?

    @Flag(help: "Accept downloads whose script gives no checksum: the computed SHA-256 is written into the rewritten script.")
    var allowMissingChecksums = false

    @Flag(name: [.long, .customLong("internalize-all-urls")],
          help: "Also internalize URLs that no known download helper receives (choco's --internalize-all-urls).")
    var allUrls = false

    @Option(name: .customLong("copy-unresolved"),
            help: "Id of a package to push unchanged when some of its downloads cannot be resolved (it then still needs the internet); repeatable.")
    var copyUnresolved: [String] = []

    func validate() throws {
        if copy, embed { throw ValidationError("--copy and --embed exclude each other") }
        if copy, resourcesLocation != nil { throw ValidationError("--resources-location needs internalizing; drop --copy") }
        if resourcesScriptLocation != nil, resourcesLocation == nil {
            throw ValidationError("--resources-script-location needs --resources-location")
        }
    }

    /// The environment variables holding the user and password for a web resources location.
    static let userVariable = "CCM_UPGRADE_RESOURCES_USER"
    static let passwordVariable = "CCM_UPGRADE_RESOURCES_PASSWORD"

    /// Refuses, before anything runs, a request to internalize a licensed package (`--embed` with a licensed id).
    func checkNothingLicensedIsNamed(_ requests: [PackageRequest], explicitIds: Set<String>, licensedSources: Set<String>) throws {
        guard embed else { return }
        let catalogue = CCMCatalogue.standard
        for request in requests where explicitIds.contains(request.id.lowercased()) {
            if catalogue.neverModifiedIDs.contains(request.id.lowercased()) || licensedSources.contains(request.source) {
                throw CommandFailure.badInput("\(request.id): a licensed Chocolatey package is never internalized (licensed#155: its signed "
                    + "scripts break when rewritten, and the CCM docs forbid it); drop --embed to copy it byte for byte, or leave it out")
            }
        }
    }

    /// The embedding settings for a run, or nil with `--copy`.
    func settings(http: HTTPClient, workDirectory: String, licensedSources: Set<String>) throws -> EmbedSettings? {
        guard !copy else { return nil }
        var settings = Self.defaults(http: http, workDirectory: workDirectory, licensedSources: licensedSources,
                                     allowMissingChecksums: allowMissingChecksums, allURLs: allUrls)
        settings.copyUnresolved = Set(copyUnresolved)
        if let resourcesLocation {
            let lower = resourcesLocation.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                let environment = ProcessInfo.processInfo.environment
                var credentials: Credentials?
                if let user = environment[Self.userVariable], !user.isEmpty {
                    guard let password = environment[Self.passwordVariable], !password.isEmpty else {
                        throw CommandFailure.badInput("\(Self.userVariable) is set but \(Self.passwordVariable) is not")
                    }
                    credentials = Credentials(username: user, password: Secret(password))
                }
                settings.location = .web(url: resourcesLocation, credentials: credentials)
            } else {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: resourcesLocation, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandFailure.badInput("--resources-location: \(resourcesLocation) is not a folder (mount the share first) nor an http(s) URL")
                }
                settings.location = .folder(path: resourcesLocation)
            }
            settings.placement = .location(base: resourcesScriptLocation ?? resourcesLocation)
        }
        return settings
    }

    /// What `internalize` does with no embedding flag — installers embedded, checksums required — and the base
    /// the flags change. `run` uses it for the plan's internalize step: the prerequisites it brings in must
    /// install offline too.
    static func defaults(http: HTTPClient, workDirectory: String, licensedSources: Set<String>, allowMissingChecksums: Bool = false,
                         allURLs: Bool = false) -> EmbedSettings {
        let fetcher = ResourceFetcher(http: http, cacheDirectory: workDirectory + "/resources", allowMissingChecksums: allowMissingChecksums,
                                      log: FeedOptions.log)
        var settings = EmbedSettings(fetcher: fetcher, finder: finder(allURLs: allURLs), neverModified: CCMCatalogue.standard.neverModifiedIDs,
                                     licensedSources: licensedSources, outputDirectory: workDirectory + "/internalized")
        settings.resourceProgress = progress
        return settings
    }

    /// Each installer's download on the terminal's status line, like `download`'s (nil when stderr is not a terminal).
    private static let progress: @Sendable (String) -> (@Sendable (Int64, Int64) -> Void)? = { url in
        TransferProgress.reporter(label: "resource " + (url.split(separator: "/").last.map(String.init) ?? url))
    }

    /// The resources of a package file, found by reading its scripts.
    private static func finder(allURLs: Bool) -> ResourceFinding {
        { path in ResourceFinder.find(in: try PackageScripts.readNow(path), allURLs: allURLs) }
    }
}
