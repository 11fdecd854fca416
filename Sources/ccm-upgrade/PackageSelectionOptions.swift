import ArgumentParser
import Compatibility
import FileSupport
import Repository

/// Which packages `bundle create` takes without a plan: the same selection as `internalize` (ids, a package
/// list, the CCM set, or what a CCM version needs per the matrix), built by the same functions.
struct PackageSelectionOptions: ParsableArguments {
    @Argument(help: "Package ids (each optionally id@version or id@[range]); default: the CCM package set.")
    var ids: [String] = []

    @Option(help: "File with one package per line: id [version|latest|range] [source]; # starts a comment.")
    var packageList: String?

    @Option(help: "CCM package set when no ids are given: upgrade (docs upgrade script) or setup (docs setup script).")
    var ccmSet: CCMPackageSet = .upgrade

    @Option(help: "Take exactly what this CCM version needs per the compatibility matrix.")
    var forCcm: String?

    @Option(name: [.long, .customLong("source"), .customShort("s")], help: "Source for ids and list lines without one.")
    var from: String = "community"

    @Option(help: "Source name or location for the licensed packages.")
    var licensedFrom: String = "licensed"

    @Flag(name: [.long, .customLong("pre")], help: "Allow prerelease versions.")
    var prerelease = false

    @Flag(help: "Do not follow dependencies of the given ids / list entries.")
    var ignoreDependencies = false

    /// True when nothing was selected explicitly (the CCM set would be taken).
    var isEmpty: Bool { ids.isEmpty && packageList == nil && forCcm == nil }

    func requests() throws -> [PackageRequest] {
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
            requests += try InternalizeCommand.requests(forCCM: forCcm, community: from, licensed: licensedFrom)
        } else if requests.isEmpty {
            requests = ccmSet.requests(licensedIDs: CCMCatalogue.standard.ccmLicensedIDs, community: from, licensed: licensedFrom)
        }
        return requests
    }
}
