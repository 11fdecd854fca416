import Diagnostics
import RemoteHosts
import Versioning

/// What is installed: the one inventory format, read by `plan`, `run` and `matrix check`.
///
/// A superset of the two shapes the README documents: hosts with CCM roles and their packages (what a plan
/// needs), client groups, the internal feed and parameters file, and the platform facts `matrix check`
/// uses (.NET runtime, SQL Server, Windows Server, prerequisites). Where no host carries the server roles,
/// `ccm` (or `database`/`service`/`web`) gives the server versions directly. Read by ``parse(_:file:catalogue:)``.
public struct Inventory: Sendable, Hashable, Codable {
    /// A CCM role a host can carry.
    public typealias Role = ServerRole

    /// A machine with CCM roles (or just the agent) and what is installed there.
    public struct Host: Sendable, Hashable, Codable {
        public var name: String
        public var roles: [Role]
        /// Installed package id (lower case) → version.
        public var packages: [String: NuGetVersion]
        /// The website's HTTPS binding on this host (`https:`); nil when not recorded.
        public var https: WebHTTPS?
        /// How to reach the host (`ssh`/`port`/`shell` or `local` in the file); nil when the inventory does not say.
        public var address: HostAddress?

        public init(name: String, roles: [Role], packages: [String: NuGetVersion], https: WebHTTPS? = nil, address: HostAddress? = nil) {
            self.name = name
            self.roles = roles
            self.packages = Dictionary(packages.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            self.https = https
            self.address = address
        }
    }

    /// A set of client machines that share package versions (a CCM computer group, a ring, a site).
    public struct Group: Sendable, Hashable, Codable {
        public var name: String
        /// Installed package id (lower case) → version.
        public var packages: [String: NuGetVersion]

        public init(name: String, packages: [String: NuGetVersion]) {
            self.name = name
            self.packages = Dictionary(packages.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The internal feed (URL or folder) a plan installs from.
    public var source: String?
    /// The parameters file, relative to the inventory file.
    public var parameters: String?
    public var hosts: [Host]
    public var groups: [Group]
    /// Server package versions given without hosts (`ccm`, `database`, `service`, `web`).
    public var serverVersions: [Role: NuGetVersion]
    /// The .NET (ASP.NET Core) runtime on the CCM server(s).
    public var dotnetRuntime: NuGetVersion?
    public var sqlServer: ServerRelease?
    public var windowsServer: ServerRelease?
    /// Installed prerequisite packages on the CCM server(s) (id, lower case → version).
    public var prerequisites: [String: NuGetVersion]
    /// The website's HTTPS binding when no host carries the web role (`https:` at the top level).
    public var https: WebHTTPS?
    /// Windows features installed on the web host (`windows_features:`), SQL Server's service start mode
    /// (`sql_server_service:`); nil when not recorded.
    public var windowsFeatures: [String]?
    public var sqlServerStartMode: String?

    public init(
        source: String? = nil, parameters: String? = nil, hosts: [Host] = [], groups: [Group] = [],
        serverVersions: [Role: NuGetVersion] = [:], dotnetRuntime: NuGetVersion? = nil, sqlServer: ServerRelease? = nil,
        windowsServer: ServerRelease? = nil, prerequisites: [String: NuGetVersion] = [:]
    ) {
        self.source = source
        self.parameters = parameters
        self.hosts = hosts
        self.groups = groups
        self.serverVersions = serverVersions
        self.dotnetRuntime = dotnetRuntime
        self.sqlServer = sqlServer
        self.windowsServer = windowsServer
        self.prerequisites = Dictionary(prerequisites.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The host carrying `role`, or nil.
    public func host(with role: Role) -> Host? { hosts.first { $0.roles.contains(role) } }

    /// The estate the matrix checks: server versions from the role hosts (or the top-level versions), the
    /// client groups plus each CCM host's own clients as group `host:<name>`, and the platform.
    public var estate: Estate {
        let catalogue = CCMCatalogue.standard
        func server(_ role: Role) -> NuGetVersion? { host(with: role)?.packages[role.packageID] ?? serverVersions[role] }
        var estate = Estate(
            database: server(.database), service: server(.service), web: server(.web), dotnetRuntime: dotnetRuntime,
            sqlServer: sqlServer, windowsServer: windowsServer, prerequisites: prerequisites)
        estate.webHTTPS = host(with: .web)?.https ?? https
        (estate.windowsFeatures, estate.sqlServerStartMode) = (windowsFeatures, sqlServerStartMode)
        // Prerequisites a role host lists among its packages count too (the database host's runtime as well
        // as the web host's); where hosts differ, the lowest version is the one that must pass.
        let prerequisiteIDs = Set(catalogue.packages.filter { $0.role == .prerequisite }.map { $0.id.lowercased() })
        for host in hosts where !host.roles.isEmpty {
            for (id, version) in host.packages where prerequisiteIDs.contains(id) {
                estate.prerequisites[id] = min(version, estate.prerequisites[id] ?? version)
            }
        }
        let clientIDs = catalogue.clientIDs
        for host in hosts where host.roles.contains(.service) || host.packages[catalogue.agentID] != nil {
            let packages = host.packages.filter { clientIDs.contains($0.key) }
            if !packages.isEmpty { estate.groups.append(AgentGroup(name: "host:\(host.name)", packages: packages)) }
        }
        for group in groups { estate.groups.append(AgentGroup(name: group.name, packages: group.packages)) }
        return estate
    }
}

/// An inventory that cannot be used: every error, each with file, line and field.
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The errors in line order.
    public let diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One `file:line: error: message` line per problem.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
