import Compatibility
import Foundation
import Versioning
import Yams

/// What is installed now, for planning: which host has which CCM role, the versions there, the client
/// groups, the internal feed and the parameters file. Read from YAML or JSON (JSON is YAML).
///
/// ```yaml
/// source: https://nexus.example.com/repository/choco-internal/
/// parameters: ccm-parameters.yaml
/// hosts:
///   - name: ccm01
///     roles: [database, service, web]
///     packages: { chocolatey-management-database: 0.16.0, chocolatey-management-service: 0.16.0,
///                 chocolatey-management-web: 0.16.0, chocolatey-agent: 3.0.0, chocolatey.extension: 6.3.1, chocolatey: 2.4.3 }
/// groups:
///   - name: Workstations
///     packages: { chocolatey-agent: 3.0.0, chocolatey.extension: 6.3.1, chocolatey: 2.4.3 }
/// ```
public struct UpgradeInventory: Sendable, Hashable, Codable {
    /// A CCM role a host can carry.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case database, service, web

        /// The server package that implements the role.
        public var packageID: String { CCMCatalogue.standard.id(of: ServerRole(rawValue: rawValue)!) }
    }

    public struct Host: Sendable, Hashable, Codable {
        public var name: String
        public var roles: [Role]
        /// Installed package id (lower case) → version.
        public var packages: [String: NuGetVersion]

        public init(name: String, roles: [Role], packages: [String: NuGetVersion]) {
            self.name = name
            self.roles = roles
            self.packages = Dictionary(packages.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public struct Group: Sendable, Hashable, Codable {
        public var name: String
        public var packages: [String: NuGetVersion]

        public init(name: String, packages: [String: NuGetVersion]) {
            self.name = name
            self.packages = Dictionary(packages.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The internal feed (URL or folder) the plan installs from.
    public var source: String?
    /// The parameters file, relative to the inventory file.
    public var parameters: String?
    public var hosts: [Host]
    public var groups: [Group]

    public init(source: String? = nil, parameters: String? = nil, hosts: [Host], groups: [Group] = []) {
        self.source = source
        self.parameters = parameters
        self.hosts = hosts
        self.groups = groups
    }

    /// The host carrying `role`, or nil.
    public func host(with role: Role) -> Host? { hosts.first { $0.roles.contains(role) } }

    /// The estate the matrix checks: server versions from the role hosts, client groups plus the CCM
    /// host's own agent as group `ccm-host:<name>`.
    public var estate: Estate {
        var estate = Estate()
        estate.database = host(with: .database)?.packages[Role.database.packageID]
        estate.service = host(with: .service)?.packages[Role.service.packageID]
        estate.web = host(with: .web)?.packages[Role.web.packageID]
        let clientIDs = [CCMCatalogue.standard.agentID, CCMCatalogue.standard.extensionID, CCMCatalogue.standard.chocolateyID]
        for host in hosts where host.roles.contains(.service) || host.packages[CCMCatalogue.standard.agentID] != nil {
            let packages = host.packages.filter { clientIDs.contains($0.key) }
            if !packages.isEmpty { estate.groups.append(AgentGroup(name: "host:\(host.name)", packages: packages)) }
        }
        for group in groups { estate.groups.append(AgentGroup(name: group.name, packages: group.packages)) }
        return estate
    }

    /// True when `text` is a plan inventory (it has a top-level `hosts` key), as opposed to the matrix
    /// checker's flat estate file.
    public static func looksLikeUpgradeInventory(_ text: String) -> Bool {
        guard let map = (try? Yams.load(yaml: text)) as? [String: Any] else { return false }
        return map["hosts"] != nil
    }

    /// Reads an inventory file, naming the file and field in every error.
    public static func load(path: String) throws(PlanningError) -> UpgradeInventory {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .io(path: path, reason: "cannot read the inventory file")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(PlanningError) -> UpgradeInventory {
        func fail(_ field: String, _ problem: String) -> PlanningError { .invalidInventory(file: file, field: field, problem: problem) }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw fail("document", "not valid YAML/JSON: \(error)") }
        guard let map = root as? [String: Any] else { throw fail("document", "expected a mapping with 'hosts' (and optionally 'groups', 'source', 'parameters')") }
        let known: Set<String> = ["source", "parameters", "hosts", "groups"]
        if let unknown = map.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(unknown, "unknown key; expected one of \(known.sorted().joined(separator: ", "))")
        }
        func string(_ value: Any?, _ field: String) throws(PlanningError) -> String? {
            guard let value else { return nil }
            guard let text = value as? String ?? (value as? CustomStringConvertible)?.description, !(value is [Any]), !(value is [String: Any]) else {
                throw fail(field, "expected text")
            }
            return text
        }
        func packages(_ value: Any?, _ field: String) throws(PlanningError) -> [String: NuGetVersion] {
            guard let value else { return [:] }
            guard let map = value as? [String: Any] else { throw fail(field, "expected a mapping of package id to version") }
            var result: [String: NuGetVersion] = [:]
            for (id, raw) in map {
                guard let text = try string(raw, "\(field).\(id)") else { continue }
                do { result[id.lowercased()] = try NuGetVersion(parsing: text) } catch {
                    throw fail("\(field).\(id)", "invalid version '\(text)': \(error.reasonText)")
                }
            }
            return result
        }
        guard let hostList = map["hosts"] as? [Any], !hostList.isEmpty else {
            throw fail("hosts", "expected a list of hosts, each with 'name', 'roles' and 'packages'")
        }
        var hosts: [Host] = []
        for (index, item) in hostList.enumerated() {
            let field = "hosts[\(index)]"
            guard let host = item as? [String: Any] else { throw fail(field, "expected a mapping") }
            guard let name = try string(host["name"], field + ".name"), !name.isEmpty else { throw fail(field + ".name", "the host name is missing") }
            var roles: [Role] = []
            for raw in host["roles"] as? [Any] ?? [] {
                guard let text = raw as? String, let role = Role(rawValue: text.lowercased()) else {
                    throw fail(field + ".roles", "'\(raw)' is not a role; expected database, service or web")
                }
                roles.append(role)
            }
            hosts.append(Host(name: name, roles: roles, packages: try packages(host["packages"], field + ".packages")))
        }
        var groups: [Group] = []
        for (index, item) in (map["groups"] as? [Any] ?? []).enumerated() {
            let field = "groups[\(index)]"
            guard let group = item as? [String: Any], let name = try string(group["name"], field + ".name") else {
                throw fail(field, "expected a mapping with 'name' and 'packages'")
            }
            groups.append(Group(name: name, packages: try packages(group["packages"], field + ".packages")))
        }
        for role in Role.allCases {
            let carriers = hosts.filter { $0.roles.contains(role) }
            if carriers.count > 1 {
                throw fail("hosts", "the \(role.rawValue) role is on \(carriers.map(\.name).joined(separator: " and ")); plan one CCM installation at a time")
            }
            if let carrier = carriers.first, carrier.packages[role.packageID] == nil {
                throw fail("hosts.\(carrier.name).packages", "the host has the \(role.rawValue) role but no \(role.packageID) version")
            }
        }
        let duplicateNames = Dictionary(grouping: groups.map(\.name) + hosts.map { "host:" + $0.name }, by: { $0.lowercased() }).filter { $0.value.count > 1 }
        if let duplicate = duplicateNames.keys.sorted().first { throw fail("groups", "the name '\(duplicate)' is used twice") }
        return UpgradeInventory(source: try string(map["source"], "source"), parameters: try string(map["parameters"], "parameters"),
                                hosts: hosts, groups: groups)
    }
}
