import Versioning

/// The estate as given on the command line, before parsing. Kept in the library so the rules for
/// `GROUP=VERSION` values are tested here and the executable only forwards strings.
public struct EstateFlags: Sendable, Equatable {
    /// `--ccm`: all three server packages.
    public var ccm: String?
    /// `--database`, `--service`, `--web`: one server package each (override `ccm`).
    public var database: String?
    public var service: String?
    public var web: String?
    /// `VERSION` (every group) or `GROUP=VERSION`, per package.
    public var agent: [String] = []
    /// `--extension` (chocolatey.extension); `extension` is a keyword.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    public var extension_: [String] = []
    /// `--chocolatey` (the CLI).
    public var chocolatey: [String] = []
    /// `--dotnet`, `--sql-server`, `--windows-server`: the platform.
    public var dotnet: String?
    public var sqlServer: String?
    public var windowsServer: String?
    /// `ID=VERSION`.
    public var prerequisites: [String] = []
    /// `--web-certificate`: the certificate bound to the website, a thumbprint (40 hex digits) or a DNS name.
    public var webCertificate: String?
    /// `--windows-feature` (repeatable) and `--sql-server-service MODE`: server setup beyond packages.
    public var windowsFeatures: [String] = []
    public var sqlServerService: String?

    public init() {}
}

/// A command-line value that cannot be used; the message names the flag and what was expected.
public struct EstateInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The flag as typed, e.g. `--agent`.
    public let flag: String
    /// The value that was rejected.
    public let value: String
    /// What the flag accepts.
    public let expected: String

    public var description: String { "\(flag) '\(value)': expected \(expected)" }
}

extension Estate {
    /// The name of the group that ungrouped client values fill when no group is named anywhere.
    public static let defaultGroupName = "default"

    /// Applies command-line values on top of `base` (e.g. an inventory file): flags win.
    ///
    /// `--ccm` sets all three server packages; `--database`/`--service`/`--web` override it. A client value
    /// without `GROUP=` applies to every group that has no value of its own for that package, or forms the
    /// group `default` when no group is named anywhere.
    public static func applying(_ flags: EstateFlags, to base: Estate = Estate()) throws(EstateInputError) -> Estate {
        var estate = base
        func version(_ flag: String, _ text: String?) throws(EstateInputError) -> NuGetVersion? {
            guard let text else { return nil }
            do { return try NuGetVersion(parsing: text) } catch {
                throw EstateInputError(flag: flag, value: text, expected: "a version such as 0.14.0 (\(error.reasonText))")
            }
        }
        if let ccm = try version("--ccm", flags.ccm) {
            estate.database = ccm
            estate.service = ccm
            estate.web = ccm
        }
        if let value = try version("--database", flags.database) { estate.database = value }
        if let value = try version("--service", flags.service) { estate.service = value }
        if let value = try version("--web", flags.web) { estate.web = value }
        if let value = try version("--dotnet", flags.dotnet) { estate.dotnetRuntime = value }
        if let text = flags.sqlServer {
            guard let value = ServerRelease.sqlServer(text) else {
                throw EstateInputError(flag: "--sql-server", value: text, expected: "a SQL Server release such as 2019 or '2008 R2', or a product version such as 15.0")
            }
            estate.sqlServer = value
        }
        if let text = flags.windowsServer {
            guard let value = ServerRelease.windowsServer(text) else {
                throw EstateInputError(flag: "--windows-server", value: text, expected: "a Windows Server release such as 2022 or '2012 R2', or a build such as 10.0.20348")
            }
            estate.windowsServer = value
        }
        for item in flags.prerequisites {
            guard let (id, text) = split(item), let id else {
                throw EstateInputError(flag: "--prerequisite", value: item, expected: "ID=VERSION, e.g. dotnet-8.0-aspnetruntime=8.0.8")
            }
            estate.prerequisites[id.lowercased()] = try version("--prerequisite", text)
        }
        applySetup(flags, to: &estate)
        if let mode = flags.sqlServerService {
            guard ["automatic", "manual", "disabled"].contains(mode.lowercased()) else {
                throw EstateInputError(flag: "--sql-server-service", value: mode, expected: "automatic, manual or disabled")
            }
            estate.sqlServerStartMode = mode.lowercased()
        }

        let clients: [(flag: String, id: String, values: [String])] = [
            ("--agent", CCMCatalogue.standard.agentID, flags.agent), ("--extension", CCMCatalogue.standard.extensionID, flags.extension_), ("--chocolatey", CCMCatalogue.standard.chocolateyID, flags.chocolatey),
        ]
        var ungrouped: [(String, NuGetVersion)] = []
        var seen = Set<String>()
        for (flag, id, values) in clients {
            for item in values {
                guard let (group, text) = split(item) else {
                    throw EstateInputError(flag: flag, value: item, expected: "VERSION or GROUP=VERSION")
                }
                // Two values for one group would make the result depend on flag order; refuse instead.
                guard seen.insert("\(group ?? "")\u{0}\(id)").inserted else {
                    throw EstateInputError(flag: flag, value: item, expected: group.map { "one value for group '\($0)'" } ?? "one value without GROUP= (use GROUP=VERSION for more groups)")
                }
                guard let parsed = try version(flag, text) else { continue }
                guard let group else {
                    ungrouped.append((id, parsed))
                    continue
                }
                if let index = estate.groups.firstIndex(where: { $0.name == group }) {
                    estate.groups[index].packages[id] = parsed
                } else {
                    estate.groups.append(AgentGroup(name: group, packages: [id: parsed]))
                }
            }
        }
        if !ungrouped.isEmpty && estate.groups.isEmpty {
            estate.groups.append(AgentGroup(name: defaultGroupName))
        }
        for (id, parsed) in ungrouped {
            for index in estate.groups.indices where estate.groups[index].packages[id] == nil {
                estate.groups[index].packages[id] = parsed
            }
        }
        return estate
    }

    /// `--web-certificate` and `--windows-feature`.
    private static func applySetup(_ flags: EstateFlags, to estate: inout Estate) {
        if let value = flags.webCertificate, !value.isEmpty { estate.webHTTPS = WebHTTPS.naming(certificate: value, in: estate.webHTTPS) }
        if !flags.windowsFeatures.isEmpty { estate.windowsFeatures = flags.windowsFeatures }
    }

    /// `GROUP=VALUE` → (GROUP, VALUE); `VALUE` → (nil, VALUE); nil for an empty side.
    private static func split(_ item: String) -> (String?, String)? {
        guard let equals = item.firstIndex(of: "=") else { return item.isEmpty ? nil : (nil, item) }
        let key = String(item[..<equals]), value = String(item[item.index(after: equals)...])
        guard !key.isEmpty, !value.isEmpty else { return nil }
        return (key, value)
    }
}
