import Versioning

/// The catalogue of CCM packages, read from `matrix/packages.yaml`: which id is the database, service and
/// web package, the agent, the licensed extension and the CLI; which upstream feed each comes from; which
/// must never be modified; and the server-side upgrade order.
///
/// The one place the tool learns CCM package ids: code asks the catalogue (``standard``, compiled in from
/// `matrix/`) instead of spelling an id, so a renamed package is a data change.
public struct CCMCatalogue: Sendable, Hashable {
    /// The packages the tool treats specially, by the part of CCM they are.
    public enum Component: String, Sendable, Hashable, Codable, CaseIterable {
        case database, service, web
        /// `chocolatey-agent`, on every machine CCM manages.
        case agent
        /// The Chocolatey Licensed Extension (`chocolatey.extension`).
        case `extension`
        /// Chocolatey CLI (`chocolatey`).
        case cli

        /// The package role a component must be declared with.
        public var role: KnownPackage.Role {
            switch self {
            case .database, .service, .web: return .server
            case .agent, .extension, .cli: return .client
            }
        }
    }

    /// The upstream repository a package comes from (the source names of the feeds config).
    public enum Source: String, Sendable, Hashable, Codable, CaseIterable {
        case licensed, community
    }

    /// Every package, in file order.
    public let packages: [KnownPackage]
    /// The server-side upgrade order (database, service, web, then the agents).
    public let serverUpgradeOrder: [String]
    private let ids: [Component: String]

    /// A catalogue over checked entries; nil when a component is missing (`matrix lint` reports which).
    public init?(packages: [KnownPackage], serverUpgradeOrder: [String]) {
        var ids: [Component: String] = [:]
        for package in packages {
            if let component = package.component { ids[component] = package.id.lowercased() }
        }
        guard ids.count == Component.allCases.count else { return nil }
        self.packages = packages
        self.serverUpgradeOrder = serverUpgradeOrder.map { $0.lowercased() }
        self.ids = ids
    }

    /// The package id (lower case) of a component.
    public func id(of component: Component) -> String { ids[component]! }

    /// The package id (lower case) of a server role.
    public func id(of role: ServerRole) -> String { id(of: role.component) }

    /// The three server packages in upgrade order.
    public var serverPackageIDs: [String] {
        ServerRole.allCases.map { id(of: $0) }.sorted { rank($0) < rank($1) }
    }

    /// `chocolatey-agent`, `chocolatey.extension`, `chocolatey`.
    public var agentID: String { id(of: .agent) }
    public var extensionID: String { id(of: .extension) }
    public var chocolateyID: String { id(of: .cli) }

    /// The client packages every compatibility row constrains: agent, licensed extension, CLI.
    public var clientIDs: [String] { [agentID, extensionID, chocolateyID] }

    /// The server role a package implements, if it is a server package.
    public func serverRole(of id: String) -> ServerRole? {
        ServerRole.allCases.first { self.id(of: $0) == id.lowercased() }
    }

    /// CCM's own licensed packages (server packages, agent, licensed extension) in file order: what
    /// Chocolatey's CCM scripts take from the licensed repository without dependencies.
    public var ccmLicensedIDs: [String] {
        packages.filter { $0.neverModify && $0.component != nil }.map { $0.id.lowercased() }
    }

    /// Every package that must be copied byte for byte (never internalized, repacked or modified).
    public var neverModifiedIDs: Set<String> {
        Set(packages.filter(\.neverModify).map { $0.id.lowercased() })
    }

    /// The upstream feed for `id`; ids the catalogue does not know come from the community repository.
    public func source(of id: String) -> Source {
        packages.first { $0.id.lowercased() == id.lowercased() }?.source ?? .community
    }

    /// The ids (lower case, sorted) whose feed versions a plan depends on: the server and client packages
    /// and every .NET prerequisite the matrix knows.
    public func planPackageIDs(matrix: Matrix) -> [String] {
        let ids = serverPackageIDs + clientIDs + matrix.dotnetEras.flatMap { $0.packages.map(\.id) }
        return Set(ids.map { $0.lowercased() }).sorted()
    }

    /// Position in ``serverUpgradeOrder``; ids outside it go last.
    public func rank(_ id: String) -> Int {
        serverUpgradeOrder.firstIndex(of: id.lowercased()) ?? serverUpgradeOrder.count
    }

    /// The catalogue compiled into the binary (`matrix/packages.yaml` at build time).
    ///
    /// The embedded file is checked by `matrix lint` and the test suite, so a failure here is a build defect,
    /// not bad input: it stops the process with the file's errors.
    public static let standard: CCMCatalogue = {
        let file = "matrix/packages.yaml"
        let reader = YAMLReader()
        let text = Matrix.embeddedFiles.first { $0.name == "packages.yaml" }?.text ?? ""
        var catalogue: CCMCatalogue?
        if let root = reader.document(text: text, file: file),
           let entries = reader.mapping(root, allowed: ["schema_version", "packages", "server_upgrade_order"]) {
            let (packages, order, lines) = decode(root, entries, reader)
            validate(packages, order, lines: lines, file: file, reader: reader)
            catalogue = CCMCatalogue(packages: packages, serverUpgradeOrder: order)
        }
        guard let catalogue, !reader.diagnostics.contains(where: { $0.severity == .error }) else {
            fatalError("the embedded \(file) is invalid (a build defect):\n" + reader.diagnostics.map(\.description).joined(separator: "\n"))
        }
        return catalogue
    }()
}

/// A CCM server role: the part of CCM a host carries, one server package each.
public enum ServerRole: String, Sendable, Hashable, Codable, CaseIterable {
    case database, service, web

    /// The catalogue component of the role.
    public var component: CCMCatalogue.Component {
        switch self {
        case .database: return .database
        case .service: return .service
        case .web: return .web
        }
    }

    /// The server package that implements the role (from ``CCMCatalogue/standard``).
    public var packageID: String { CCMCatalogue.standard.id(of: self) }
}

// MARK: Reading and checking packages.yaml

extension CCMCatalogue {
    static let packageKeys = ["id", "role", "component", "source", "never_modify", "name"]

    /// Reads the `packages` list and `server_upgrade_order`, reporting every problem with file:line.
    static func decode(_ root: Cursor, _ entries: [(key: String, value: Cursor)], _ reader: YAMLReader) -> (packages: [KnownPackage], order: [String], lines: (packages: Int, order: Int)) {
        var packages: [KnownPackage] = []
        func choice<T: RawRepresentable & CaseIterable>(_ cursor: Cursor?, _: T.Type) -> T? where T.RawValue == String {
            guard let cursor, let text = reader.string(cursor) else { return nil }
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                reader.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "one of \(allowed)", found: text))
                return nil
            }
            return value
        }
        let list = reader.field(entries, "packages", in: root, required: "a list of packages")
        for item in reader.sequence(list) {
            guard let fields = reader.mapping(item, allowed: packageKeys) else { continue }
            guard let id = reader.string(reader.field(fields, "id", in: item, required: "a package id")) else { continue }
            let role = choice(reader.field(fields, "role", in: item, required: "server, client or prerequisite"), KnownPackage.Role.self)
            let componentCursor = reader.field(fields, "component", in: item, required: nil)
            let component = choice(componentCursor, Component.self)
            let source = choice(reader.field(fields, "source", in: item, required: "licensed or community (the upstream repository)"), Source.self)
            let neverModify = reader.bool(reader.field(fields, "never_modify", in: item, required: nil)) ?? false
            guard let role, let source, componentCursor == nil || component != nil else { continue }
            packages.append(KnownPackage(
                id: id, role: role, name: reader.string(reader.field(fields, "name", in: item, required: nil)) ?? id,
                component: component, source: source, neverModify: neverModify,
                location: SourceLocation(file: item.file, line: item.line)))
        }
        let orderCursor = reader.field(entries, "server_upgrade_order", in: root, required: "the server-side upgrade order")
        return (packages, reader.strings(orderCursor), (list?.line ?? root.line, orderCursor?.line ?? root.line))
    }

    /// Cross-entry rules: unique ids, every component once with its role, licensed-only `never_modify`,
    /// and an upgrade order that names the server packages in database, service, web order.
    static func validate(_ packages: [KnownPackage], _ order: [String], lines: (packages: Int, order: Int), file: String, reader: YAMLReader) {
        var seen: [String: KnownPackage] = [:]
        var components: [Component: KnownPackage] = [:]
        for package in packages {
            let line = package.location.line
            if let other = seen[package.id.lowercased()] {
                reader.error(.inconsistent(file: file, line: line, field: "packages", problem: "package id '\(package.id)' is also declared at line \(other.location.line)"))
            }
            seen[package.id.lowercased()] = package
            if package.neverModify, package.source != .licensed {
                reader.error(.inconsistent(file: file, line: line, field: "never_modify", problem: "'\(package.id)' is never modified but comes from \(package.source.rawValue); only licensed packages are kept byte for byte"))
            }
            guard let component = package.component else { continue }
            if let other = components[component] {
                reader.error(.inconsistent(file: file, line: line, field: "component", problem: "component \(component.rawValue) is also '\(other.id)' (line \(other.location.line)); each component is one package"))
            }
            components[component] = package
            if package.role != component.role {
                reader.error(.inconsistent(file: file, line: line, field: "role", problem: "'\(package.id)' is the \(component.rawValue) component, so its role must be \(component.role.rawValue)"))
            }
        }
        for component in Component.allCases where components[component] == nil {
            reader.error(.missingField(file: file, line: lines.packages, field: "packages", expected: "a package with component: \(component.rawValue); the checks and plans depend on it"))
        }
        for id in order where seen[id.lowercased()] == nil {
            reader.error(.unknownPackage(file: file, line: lines.order, field: "server_upgrade_order", id: id))
        }
        let servers = ServerRole.allCases.compactMap { components[$0.component]?.id.lowercased() }
        let positions = servers.map { order.map { $0.lowercased() }.firstIndex(of: $0) }
        if positions.contains(where: { $0 == nil }) || positions != positions.sorted(by: { ($0 ?? 0) < ($1 ?? 0) }) {
            reader.error(.inconsistent(file: file, line: lines.order, field: "server_upgrade_order", problem: "must list the database, service and web packages in that order (\(servers.joined(separator: ", ")))"))
        }
    }
}
