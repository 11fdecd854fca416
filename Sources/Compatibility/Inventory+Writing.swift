import JSONOutput
import RemoteHosts
import Versioning

/// The inventory as YAML, in the one format ``Inventory/parse(_:file:catalogue:)`` reads (what `ccm-upgrade
/// inventory` writes). Strings and versions are written as JSON strings, which YAML reads unchanged; keys sorted.
extension Inventory {
    /// - Parameter comments: lines written as `#` comments above a group's entry, by group name (the per-group
    ///   summary of `ccm-upgrade inventory`); `header` goes at the top.
    public func yamlText(header: [String] = [], comments: [String: [String]] = [:]) -> String {
        func quoted(_ text: String) -> String { JSONOutput.quoted(text) }
        func versions(_ packages: [String: NuGetVersion], indent: String) -> [String] {
            packages.sorted { $0.key < $1.key }.map { "\(indent)\(quoted($0.key)): \(quoted($0.value.originalString))" }
        }
        var lines = header.map { "# " + $0 }
        if let source { lines.append("source: \(quoted(source))") }
        if let parameters { lines.append("parameters: \(quoted(parameters))") }
        for role in Role.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            if let version = serverVersions[role] { lines.append("\(role.rawValue): \(quoted(version.originalString))") }
        }
        if let dotnetRuntime { lines.append("dotnet: \(quoted(dotnetRuntime.originalString))") }
        if let sqlServer { lines.append("sql_server: \(quoted(sqlServer.description))") }
        if let windowsServer { lines.append("windows_server: \(quoted(windowsServer.description))") }
        if !prerequisites.isEmpty { lines += ["prerequisites:"] + versions(prerequisites, indent: "  ") }
        // What the admin records and no reader can refresh: written back, or `inventory --update` would lose it.
        if let https { lines += ["https:"] + Self.lines(of: https, indent: "  ") }
        if let windowsFeatures { lines.append("windows_features: [\(windowsFeatures.map(quoted).joined(separator: ", "))]") }
        if let sqlServerStartMode { lines.append("sql_server_service: \(quoted(sqlServerStartMode))") }
        if !hosts.isEmpty { lines.append("hosts:") }
        for host in hosts {
            lines.append("  - name: \(quoted(host.name))")
            if !host.roles.isEmpty { lines.append("    roles: [\(host.roles.map(\.rawValue).joined(separator: ", "))]") }
            switch host.address {
            case .local: lines.append("    local: true")
            case .ssh(let destination, let port, let shell):
                lines.append("    ssh: \(quoted(destination))")
                if let port { lines.append("    port: \(port)") }
                if shell != .cmd { lines.append("    shell: \(shell.rawValue)") }
            case nil: break
            }
            if let https = host.https { lines += ["    https:"] + Self.lines(of: https, indent: "      ") }
            lines += host.packages.isEmpty ? ["    packages: {}"] : ["    packages:"] + versions(host.packages, indent: "      ")
        }
        if !groups.isEmpty { lines.append("groups:") }
        for group in groups {
            lines += (comments[group.name] ?? []).map { "  # " + $0 }
            lines.append("  - name: \(quoted(group.name))")
            lines += group.packages.isEmpty ? ["    packages: {}"] : ["    packages:"] + versions(group.packages, indent: "      ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The website's certificate binding, as the reader takes it.
    private static func lines(of https: WebHTTPS, indent: String) -> [String] {
        var lines: [String] = []
        if let thumbprint = https.certificateThumbprint { lines.append("\(indent)certificate_thumbprint: \(JSONOutput.quoted(thumbprint))") }
        if let name = https.certificateDnsName { lines.append("\(indent)certificate_dns_name: \(JSONOutput.quoted(name))") }
        if https.port != WebHTTPS.defaultPort { lines.append("\(indent)port: \(https.port)") }
        return lines
    }
}
