import Versioning

/// A set of machines that share client package versions (a CCM computer group, a ring, a site).
public struct AgentGroup: Sendable, Hashable, Codable {
    /// The group name as given (`default` for ungrouped values).
    public var name: String
    /// Client package id (lowercase) → installed version, e.g. `chocolatey-agent` → `4.0.0`.
    public var packages: [String: NuGetVersion]

    public init(name: String, packages: [String: NuGetVersion] = [:]) {
        self.name = name
        self.packages = Dictionary(packages.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The installed version of a package, looked up case-insensitively (NuGet ids are).
    public func version(of packageID: String) -> NuGetVersion? { packages[packageID.lowercased()] }

    /// The `chocolatey-agent`, `chocolatey.extension` and `chocolatey` versions.
    public var agent: NuGetVersion? { version(of: CCMCatalogue.standard.agentID) }
    public var licensedExtension: NuGetVersion? { version(of: CCMCatalogue.standard.extensionID) }
    public var chocolatey: NuGetVersion? { version(of: CCMCatalogue.standard.chocolateyID) }
}

/// What is installed: the three CCM server packages, the clients by group, and the platform.
public struct Estate: Sendable, Hashable, Codable {
    /// The three server package versions; nil when not given.
    public var database: NuGetVersion?
    public var service: NuGetVersion?
    public var web: NuGetVersion?
    /// Client machines, by group.
    public var groups: [AgentGroup]
    /// The .NET (ASP.NET Core) runtime on the CCM server(s).
    public var dotnetRuntime: NuGetVersion?
    /// The SQL Server and Windows Server releases of the CCM servers.
    public var sqlServer: ServerRelease?
    public var windowsServer: ServerRelease?
    /// Installed prerequisite packages (id, lowercase → version), e.g. `dotnet-8.0-aspnetruntime`.
    public var prerequisites: [String: NuGetVersion]
    /// Server setup beyond packages; nil when not recorded. The website's HTTPS binding (CCM 0.17.0+ serves
    /// the website only over SSL), the Windows features on the web host, SQL Server's service start mode.
    public var webHTTPS: WebHTTPS?
    public var windowsFeatures: [String]?
    public var sqlServerStartMode: String?

    public init(
        database: NuGetVersion? = nil, service: NuGetVersion? = nil, web: NuGetVersion? = nil, groups: [AgentGroup] = [],
        dotnetRuntime: NuGetVersion? = nil, sqlServer: ServerRelease? = nil, windowsServer: ServerRelease? = nil,
        prerequisites: [String: NuGetVersion] = [:]
    ) {
        self.database = database
        self.service = service
        self.web = web
        self.groups = groups
        self.dotnetRuntime = dotnetRuntime
        self.sqlServer = sqlServer
        self.windowsServer = windowsServer
        self.prerequisites = Dictionary(prerequisites.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
    }

    /// An estate whose three server packages are all at `ccm`.
    public init(ccm: NuGetVersion, groups: [AgentGroup] = []) {
        self.init(database: ccm, service: ccm, web: ccm, groups: groups)
    }

    /// The server packages that were given, in upgrade order (database, service, web).
    public var serverVersions: [(id: String, version: NuGetVersion)] {
        zip(CCMCatalogue.standard.serverPackageIDs, [database, service, web]).compactMap { id, version in version.map { (id, $0) } }
    }

    /// The distinct server versions, lowest first.
    public var distinctServerVersions: [NuGetVersion] {
        Array(Set(serverVersions.map(\.version))).sorted()
    }
}
