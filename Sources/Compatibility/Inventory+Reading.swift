import Diagnostics
import Foundation
import Versioning
import FileSupport

/// The one inventory reader: YAML or JSON (JSON is YAML), CRLF line ends and a UTF-8 byte order mark
/// accepted, every problem reported with file, line and field (the matrix files' reader, so both read
/// versions the same way: `0.10` stays 0.10).
extension Inventory {
    static let keys = [
        "source", "parameters", "hosts", "groups", "ccm", "database", "service", "web", "dotnet", "sql_server",
        "windows_server", "prerequisites", "https", "windows_features", "sql_server_service",
    ]

    /// The most groups and hosts an inventory may list: far above any real estate, low enough that planning
    /// stays quick (100,000 groups made `plan` run for over a minute).
    public static let maxGroups = 5_000
    public static let maxHosts = 5_000

    /// Reads an inventory file.
    public static func load(path: String, catalogue: CCMCatalogue = .standard) throws(InventoryError) -> Inventory {
        let text: String
        do { text = try TextFile.read(atPath: path) } catch {
            throw InventoryError(diagnostics: [MatrixError.unreadable(file: path, reason: error.reason).diagnostic(.error)])
        }
        return try parse(text, file: path, catalogue: catalogue)
    }

    /// Reads inventory text; `file` names it in errors. Client ids (flat group keys) and prerequisite ids
    /// come from `catalogue`.
    public static func parse(_ text: String, file: String, catalogue: CCMCatalogue = .standard) throws(InventoryError) -> Inventory {
        let reader = YAMLReader()
        let inventory = decode(text, file: file, catalogue: catalogue, reader: reader)
        let errors = reader.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, let inventory else {
            throw InventoryError(diagnostics: errors.isEmpty ? [MatrixError.unreadable(file: file, reason: "no inventory found").diagnostic(.error)] : errors)
        }
        return inventory
    }

    private static func decode(_ text: String, file: String, catalogue: CCMCatalogue, reader: YAMLReader) -> Inventory? {
        guard let root = reader.document(text: text, file: file) else { return nil }
        guard let fields = reader.mapping(root, allowed: keys, expected: "a mapping with \(keys.joined(separator: ", "))") else { return nil }
        func field(_ key: String) -> Cursor? { reader.field(fields, key, in: root, required: nil) }
        var inventory = Inventory()
        inventory.source = reader.string(field("source"))
        inventory.parameters = reader.string(field("parameters"))
        if let ccm = reader.version(field("ccm")) {
            for role in Role.allCases { inventory.serverVersions[role] = ccm }
        }
        for role in Role.allCases {
            if let version = reader.version(field(role.rawValue)) { inventory.serverVersions[role] = version }
        }
        inventory.dotnetRuntime = reader.version(field("dotnet"))
        inventory.sqlServer = platform(field("sql_server"), reader, "a SQL Server release such as \"2019\", \"2008 R2\" or a product version such as \"15.0\"", ServerRelease.sqlServer)
        inventory.windowsServer = platform(field("windows_server"), reader, "a Windows Server release such as \"2022\", \"2012 R2\" or a build such as \"10.0.20348\"", ServerRelease.windowsServer)
        let prerequisiteIDs = catalogue.packages.filter { $0.role == .prerequisite }.map(\.id)
        if let cursor = field("prerequisites") {
            inventory.prerequisites = versions(cursor, allowed: prerequisiteIDs, reader)
        }
        inventory.https = https(field("https"), reader)
        if let cursor = field("windows_features") { inventory.windowsFeatures = reader.strings(cursor) }
        if let cursor = field("sql_server_service"), let mode = reader.string(cursor) {
            if ["automatic", "manual", "disabled"].contains(mode.lowercased()) {
                inventory.sqlServerStartMode = mode.lowercased()
            } else {
                reader.error(MatrixError.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "the start mode of SQL Server's service: automatic, manual or disabled", found: mode))
            }
        }
        var hostCursors: [Cursor] = []
        for cursor in limited(reader.sequence(field("hosts")), maxHosts, "hosts", field("hosts"), reader) {
            guard let entries = reader.mapping(cursor, allowed: ["name", "roles", "packages"] + hostSetupKeys + addressKeys) else { continue }
            guard let name = reader.string(reader.field(entries, "name", in: cursor, required: "the host name")) else { continue }
            var roles: [Role] = []
            for roleCursor in reader.sequence(reader.field(entries, "roles", in: cursor, required: nil)) {
                guard let text = reader.string(roleCursor) else { continue }
                guard let role = Role(rawValue: text.lowercased()) else {
                    reader.error(MatrixError.invalidValue(file: file, line: roleCursor.line, field: roleCursor.field, expected: "a role: database, service or web", found: text))
                    continue
                }
                roles.append(role)
            }
            let packages = reader.field(entries, "packages", in: cursor, required: nil).map { versions($0, allowed: nil, reader) } ?? [:]
            let hostHTTPS = https(reader.field(entries, "https", in: cursor, required: nil), reader)
            inventory.hosts.append(Host(name: name, roles: roles, packages: packages, https: hostHTTPS,
                                        address: address(entries, in: cursor, reader)))
            hostCursors.append(cursor)
        }
        let clientIDs = catalogue.packages.filter { $0.role == .client }.map(\.id)
        var groupCursors: [Cursor] = []
        for cursor in limited(reader.sequence(field("groups")), maxGroups, "groups", field("groups"), reader) {
            // Two spellings of a group's versions: `packages: { id: version }` or the ids as keys.
            guard let entries = reader.mapping(cursor, allowed: ["name", "packages"] + clientIDs) else { continue }
            guard let name = reader.string(reader.field(entries, "name", in: cursor, required: "the group name")) else { continue }
            var packages = reader.field(entries, "packages", in: cursor, required: nil).map { versions($0, allowed: nil, reader) } ?? [:]
            for (id, value) in entries where id != "name" && id != "packages" {
                guard let version = reader.version(value) else { continue }
                if packages[id.lowercased()] != nil {
                    reader.error(MatrixError.inconsistent(file: file, line: value.line, field: value.field, problem: "'\(id)' is also under 'packages'; give each version once"))
                }
                packages[id.lowercased()] = version
            }
            inventory.groups.append(Group(name: name, packages: packages))
            groupCursors.append(cursor)
        }
        check(inventory, catalogue, root: root, hosts: hostCursors, groups: groupCursors, reader)
        return inventory
    }

    /// Rules across entries: one host per role, each role host holds its package, server versions in one
    /// place, unique group names.
    private static func check(_ inventory: Inventory, _ catalogue: CCMCatalogue, root: Cursor, hosts: [Cursor], groups: [Cursor], _ reader: YAMLReader) {
        for role in Role.allCases {
            let carriers = zip(inventory.hosts, hosts).filter { $0.0.roles.contains(role) }
            if carriers.count > 1 {
                reader.error(MatrixError.inconsistent(file: root.file, line: carriers[1].1.line, field: carriers[1].1.field + ".roles",
                    problem: "the \(role.rawValue) role is on \(carriers.map(\.0.name).joined(separator: " and ")); one CCM installation per inventory"))
            }
            let id = catalogue.id(of: role)
            if let (host, cursor) = carriers.first, host.packages[id] == nil {
                reader.error(MatrixError.missingField(file: root.file, line: cursor.line, field: cursor.field + ".packages.\(id)",
                    expected: "the installed \(id) version (the host has the \(role.rawValue) role)"))
            }
        }
        if inventory.hosts.contains(where: { !$0.roles.isEmpty }), !inventory.serverVersions.isEmpty {
            reader.error(MatrixError.inconsistent(file: root.file, line: root.line, field: "ccm",
                problem: "server versions are given both on hosts with roles and at the top level (ccm/database/service/web); give them in one place"))
        }
        for (host, cursor) in zip(inventory.hosts, hosts) where host.https != nil && !host.roles.contains(.web) {
            reader.error(MatrixError.inconsistent(file: root.file, line: cursor.line, field: cursor.field + ".https",
                problem: "'https' describes the CCM website's binding; give it on the host with the web role"))
        }
        if inventory.https != nil, inventory.host(with: .web) != nil {
            reader.error(MatrixError.inconsistent(file: root.file, line: root.line, field: "https",
                problem: "the website's HTTPS binding is given at the top level although a host has the web role; give it on that host"))
        }
        var seen: [String: Int] = [:]
        let named = Array(zip(inventory.groups.map(\.name), groups.map(\.line))) + Array(zip(inventory.hosts.map { "host:" + $0.name }, hosts.map(\.line)))
        for (name, line) in named {
            if let first = seen[name.lowercased()] {
                reader.error(MatrixError.inconsistent(file: root.file, line: line, field: "groups", problem: "the name '\(name)' is also used at line \(first)"))
            } else {
                seen[name.lowercased()] = line
            }
        }
    }

    /// `elements`, or none (with an error) when there are more than `limit`.
    private static func limited(_ elements: [Cursor], _ limit: Int, _ what: String, _ list: Cursor?, _ reader: YAMLReader) -> [Cursor] {
        guard elements.count > limit, let list else { return elements }
        reader.error(.invalidValue(file: list.file, line: list.line, field: list.field, expected: "at most \(limit) \(what)",
                                   found: "\(elements.count) \(what)"))
        return []
    }

    /// A mapping of package id to version; `allowed` limits the ids (nil: any id).
    private static func versions(_ cursor: Cursor, allowed: [String]?, _ reader: YAMLReader) -> [String: NuGetVersion] {
        guard let entries = reader.mapping(cursor, allowed: allowed, expected: "a mapping of package id to version") else { return [:] }
        var result: [String: NuGetVersion] = [:]
        for (id, value) in entries {
            if let version = reader.version(value) { result[id.lowercased()] = version }
        }
        return result
    }

    /// Keys of a host entry that describe its setup beyond packages (kept apart from other host keys).
    static let hostSetupKeys = ["https"]

    /// `https: { certificate_thumbprint, certificate_dns_name, port }`: the website's HTTPS binding.
    private static func https(_ cursor: Cursor?, _ reader: YAMLReader) -> WebHTTPS? {
        guard let cursor else { return nil }
        let keys = ["certificate_thumbprint", "certificate_dns_name", "port"]
        guard let entries = reader.mapping(cursor, allowed: keys, expected: "the website's HTTPS binding { certificate_thumbprint, certificate_dns_name, port }") else { return nil }
        var binding = WebHTTPS()
        if let value = reader.field(entries, "certificate_thumbprint", in: cursor, required: nil), let text = reader.string(value) {
            guard WebHTTPS.isThumbprint(text) else {
                reader.error(MatrixError.invalidValue(file: value.file, line: value.line, field: value.field, expected: "a certificate thumbprint (40 hex digits)", found: text))
                return nil
            }
            binding.certificateThumbprint = text.filter { $0 != " " }.uppercased()
        }
        binding.certificateDnsName = reader.string(reader.field(entries, "certificate_dns_name", in: cursor, required: nil))
        if let value = reader.field(entries, "port", in: cursor, required: nil), let text = reader.string(value) {
            guard let port = Int(text), (1...65535).contains(port) else {
                reader.error(MatrixError.invalidValue(file: value.file, line: value.line, field: value.field, expected: "a TCP port (1-65535)", found: text))
                return nil
            }
            binding.port = port
        }
        guard binding.hasCertificate else {
            reader.error(MatrixError.missingField(file: cursor.file, line: cursor.line, field: cursor.field + ".certificate_thumbprint",
                expected: "the certificate bound to the website: certificate_thumbprint or certificate_dns_name"))
            return nil
        }
        return binding
    }

    private static func platform(_ cursor: Cursor?, _ reader: YAMLReader, _ expected: String, _ parse: (String) -> ServerRelease?) -> ServerRelease? {
        guard let cursor, let text = reader.string(cursor) else { return nil }
        guard let value = parse(text) else {
            reader.error(MatrixError.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: expected, found: text))
            return nil
        }
        return value
    }
}
