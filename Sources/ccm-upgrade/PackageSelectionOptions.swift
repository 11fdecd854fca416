import ArgumentParser
import Compatibility
import FileSupport
import Repository

/// Which packages `internalize` and `bundle create` (without a plan) take: ids, a package list, the CCM set, or
/// what a CCM version needs per the matrix. The one place their flags are declared and requests are built.
struct PackageSelectionOptions: ParsableArguments {
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

    @Flag(name: [.long, .customLong("pre")], help: "Allow prerelease versions (choco's --pre works too).")
    var prerelease = false

    @Flag(help: "Do not follow dependencies of the given ids / list entries.")
    var ignoreDependencies = false

    /// True when nothing was selected explicitly (the CCM set would be taken).
    var isEmpty: Bool { ids.isEmpty && packageList == nil && forCcm == nil }

    /// The requests of the selection: ids and list lines (from `--from` unless a line names its source), then
    /// `--for-ccm`'s packages, or the CCM set when nothing was named.
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
            requests += try Self.requests(forCCM: forCcm, community: from, licensed: licensedFrom)
        } else if requests.isEmpty {
            requests = ccmSet.requests(licensedIDs: CCMCatalogue.standard.ccmLicensedIDs, community: from, licensed: licensedFrom)
        }
        return requests
    }

    /// Ids the user named (arguments and list lines), lower case: the packages `--embed` is asked for.
    func explicitIds(_ requests: [PackageRequest]) -> Set<String> {
        guard !ids.isEmpty || packageList != nil else { return [] }
        let named = Set(ids.map { ($0.split(separator: "@", maxSplits: 1).first.map(String.init) ?? $0).lowercased() })
        return packageList == nil ? named : named.union(requests.map { $0.id.lowercased() })
    }

    /// Source names whose packages are licensed (copied byte for byte, never internalized): `--licensed-from`,
    /// every configured source at the licensed repository's URL, and every source of `requests` that resolves there.
    func licensedSources(of requests: [PackageRequest], in settings: FeedSettings, feedOptions: FeedOptions) -> Set<String> {
        // One internal mirror serving both (`--source X --licensed-from X`) makes the source say nothing: then a
        // package is licensed by its id (the catalogue's never-modified packages), and the community ones asked
        // for from the same mirror — the .NET prerequisites — are still internalized.
        var licensedSources: Set<String> = licensedFrom == from ? [] : [licensedFrom]
        for (name, source) in settings.sources where source.location.lowercased() == FeedSettings.licensedURL { licensedSources.insert(name) }
        for name in Set(requests.map(\.source)) where (try? feedOptions.source(name, in: settings))?.location.lowercased() == FeedSettings.licensedURL {
            licensedSources.insert(name)
        }
        return licensedSources
    }
}

extension CCMPackageSet: ExpressibleByArgument {}
