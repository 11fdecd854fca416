import ArgumentParser
import Compatibility
import Foundation
import Logging
import Nupkg
import Planning
import Repository
import Versioning
import FileSupport

/// Where the estate, the parameters and the internal feed come from (shared by plan and run).
struct EstateOptions: ParsableArguments {
    @Option(help: "Inventory file (YAML or JSON): hosts with roles and versions, client groups, source, parameters.")
    var inventory: String?

    @Option(help: "Parameters file (YAML or JSON) with the non-default settings to pass again; overrides the inventory's.")
    var parameters: String?

    @Option(name: [.long, .customShort("s")], help: "The internal feed: a source name from the feeds config, a folder, a v2 URL or a v3 index.json URL; overrides the inventory's.")
    var source: String?

    @Option(help: "Read this host's installed packages from a Chocolatey lib folder (e.g. C:\\ProgramData\\chocolatey\\lib).")
    var lib: String?

    @Option(help: "Read this host's installed packages from saved `choco list -r` output (CLI 1.x or 2.x).")
    var chocoList: String?

    @OptionGroup var feedOptions: FeedOptions

    @Flag(help: "Also ask the licensed and community feeds (feeds config) what exists: --to latest may then pick a version the internal feed lacks, and the internalize step is checked against them.")
    var upstream = false

    @Option(help: "This host's name, for --lib/--choco-list/--database/--service/--web (default: the machine's name).")
    var host: String?

    @Option(help: "Installed chocolatey-management-database version on this host.")
    var database: String?
    @Option(help: "Installed chocolatey-management-service version on this host.")
    var service: String?
    @Option(help: "Installed chocolatey-management-web version on this host.")
    var web: String?

    @Option(help: ArgumentHelp("The certificate bound to the CCM website (CCM 0.17.0+ serves it only over SSL); overrides the inventory's https.", valueName: "THUMBPRINT|DNSNAME"))
    var webCertificate: String?

    @Flag(help: "Read the live estate first: --inventory's hosts over SSH (choco list), client groups from CCM when CCM_URL is set.")
    var live = false

    @Option(help: ArgumentHelp("With --live: an ssh config file instead of ~/.ssh/config (ssh -F).", valueName: "FILE"))
    var sshConfig: String?

    struct Context {
        var inventory: Inventory
        var parameters: UpgradeParameters
        var source: String
        var feed: [String: [NuGetVersion]]
        /// What the licensed and community feeds offer, with --upstream.
        var upstream: [String: [NuGetVersion]]?
    }

    /// Loads everything and lists the feed's versions of every package a plan may touch (and of `extra`,
    /// e.g. the licence package); `feedView`, when given (`plan --bundle`), is listed instead of the internal feed.
    func load(matrix: Matrix, alsoList extra: [String] = [], feedView: (any PackageFeed)? = nil) async throws -> EstateOptions.Context {
        var inventory: Inventory
        if live {
            guard let path = self.inventory else { throw ValidationError("--live reads the hosts of --inventory FILE: give it") }
            inventory = try await LiveEstateOptions.refresh(inventory: path, sshConfig: sshConfig)
        } else {
            inventory = try loadInventory()
        }
        guard var reference = source ?? inventory.source else {
            throw ValidationError("no internal feed: pass --source or set 'source' in the inventory")
        }
        // Loaded once: each load prints the config's warnings (a disabled TLS check, loudly).
        let settings = try feedOptions.settings()
        // A folder the inventory names is relative to the inventory, as its `parameters:` is (not to where
        // the command runs); a source name of the feeds config stays a name.
        if reference.hasPrefix("~/") { reference = (reference as NSString).expandingTildeInPath }
        if source == nil, settings.sources[reference] == nil, Self.isRelativePath(reference) {
            reference = Self.standardized(Self.relative(reference, to: self.inventory))
        }
        let (feed, location) = try feedOptions.openFeed(reference, in: settings)
        let source = Self.absoluteIfFolder(location)
        if let problem = PlanValidator.sourceProblem(source) { throw CommandFailure.badInput("--source: \(problem)") }
        inventory.source = source
        var parameters = UpgradeParameters()
        if let path = self.parameters ?? inventory.parameters.map({ Self.relative($0, to: self.inventory) }) {
            parameters = try UpgradeParameters.load(path: path)
        }
        let catalogue = CCMCatalogue.standard
        let wanted = catalogue.planPackageIDs(matrix: matrix)
        let versions = try await Self.list(wanted + extra, in: feedView ?? feed)
        var upstreamVersions: [String: [NuGetVersion]]?
        if upstream {
            upstreamVersions = [:]
            for source in CCMCatalogue.Source.allCases {
                let ids = wanted.filter { catalogue.source(of: $0) == source }
                let listed = try await Self.list(ids, in: try feedOptions.openFeed(source.rawValue, in: settings).feed)
                upstreamVersions?.merge(listed, uniquingKeysWith: +)
            }
        }
        return Context(inventory: inventory, parameters: parameters, source: source, feed: versions, upstream: upstreamVersions)
    }

    /// The listed versions of each id in `feed`.
    static func list(_ ids: [String], in feed: any PackageFeed) async throws -> [String: [NuGetVersion]] {
        var versions: [String: [NuGetVersion]] = [:]
        for id in ids {
            do {
                versions[id] = try await feed.versions(of: id).filter(\.isListed).map(\.version)
            } catch {
                // An unreachable or failing feed is a failed run (exit 1, as in `download`), not bad input.
                throw CommandFailure.problem("cannot list \(id) in \(feed.name): \(error)")
            }
        }
        return versions
    }

    private func loadInventory() throws -> Inventory {
        var inventory = try loadHosts()
        if let webCertificate, !webCertificate.isEmpty, let index = inventory.hosts.firstIndex(where: { $0.roles.contains(.web) }) {
            inventory.hosts[index].https = WebHTTPS.naming(certificate: webCertificate, in: inventory.hosts[index].https)
        }
        return inventory
    }

    private func loadHosts() throws -> Inventory {
        if let inventory { return try Inventory.loadForPlan(path: inventory) }
        var packages: [String: NuGetVersion] = [:]
        if let lib { packages = try Self.readLib(lib) }
        if let chocoList {
            // `choco list > file` in Windows PowerShell 5 writes UTF-16: TextFile reads that, BOMs and CRLF alike.
            let text: String
            do { text = try TextFile.read(atPath: chocoList) } catch { throw CommandFailure.badInput("--choco-list: \(error)") }
            packages.merge(InstalledPackages.parseChocoList(text), uniquingKeysWith: { $1 })
        }
        for (flag, role) in [(database, Inventory.Role.database), (service, .service), (web, .web)] {
            guard let flag else { continue }
            do { packages[role.packageID] = try NuGetVersion(parsing: flag) } catch { throw ValidationError("--\(role.rawValue): \(error)") }
        }
        let roles = Inventory.Role.allCases.filter { packages[$0.packageID] != nil }
        guard !roles.isEmpty else {
            throw ValidationError("no estate: pass --inventory, or --lib/--choco-list/--database/--service/--web for this host")
        }
        let name = host ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        return Inventory(hosts: [.init(name: name, roles: roles, packages: packages)])
    }

    /// Installed packages from `lib/<id>/<id>.nuspec`, as Chocolatey keeps them.
    static func readLib(_ path: String) throws -> [String: NuGetVersion] {
        guard let (packages, problems) = ChocolateyLib.installedPackages(lib: path) else {
            throw ValidationError("\(path): not a Chocolatey lib folder (empty or unreadable)")
        }
        for problem in problems { Console.warning("\(problem)") }
        return packages
    }

    /// choco runs from wherever the admin stands: a relative folder source becomes absolute in the plan.
    static func absoluteIfFolder(_ location: String) -> String {
        let isURL = location.contains("://")
        let isWindowsPath = location.count >= 2 && location.dropFirst().first == ":" || location.hasPrefix("\\\\")
        guard !isURL, !isWindowsPath, !location.hasPrefix("/") else { return location }
        return standardized(location)
    }

    /// `path` made absolute from the current folder, `.` and `..` resolved.
    static func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// A relative folder path (`../feed`, `feeds/internal`), not a URL, an absolute path or a bare word (which
    /// may be a source name).
    static func isRelativePath(_ text: String) -> Bool {
        guard !text.contains("://"), !text.hasPrefix("/"), !text.hasPrefix("\\\\"), !(text.count >= 2 && text.dropFirst().first == ":") else { return false }
        return text.hasPrefix(".") || text.contains("/") || text.contains("\\")
    }

    static func relative(_ path: String, to inventory: String?) -> String {
        guard !path.hasPrefix("/"), let inventory else { return path }
        return (inventory as NSString).deletingLastPathComponent.isEmpty ? path : (inventory as NSString).deletingLastPathComponent + "/" + path
    }
}

extension FeedOptions {
    /// Opens the feed `reference` names (a source name from the feeds config, a URL or a folder) with the
    /// config's credentials, proxy and CA settings; returns it with its location (what choco's --source gets).
    func openFeed(_ reference: String, in settings: FeedSettings) throws -> (feed: any PackageFeed, location: String) {
        let source = try configuredSource(reference, in: settings)
        return (source.makeFeed(http: settings.httpClient(logger: .tool)), source.location)
    }

    /// The source `reference` names; a URL or folder that is the location of a configured source gets that
    /// source's credentials and API key (a plan stores the location, not the name).
    func configuredSource(_ reference: String, in settings: FeedSettings) throws -> FeedSource {
        func trimmed(_ text: String) -> String { text.hasSuffix("/") ? String(text.dropLast()) : text }
        if settings.sources[reference] == nil,
           let named = settings.sources.values.sorted(by: { $0.name < $1.name }).first(where: { trimmed($0.location) == trimmed(reference) }) {
            return named
        }
        return try source(reference, in: settings)
    }
}
