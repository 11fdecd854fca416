import Versioning

/// The website's HTTPS binding as the inventory records it: CCM 0.17.0's website works only over SSL.
public struct WebHTTPS: Sendable, Hashable, Codable {
    /// The thumbprint of the certificate bound to the site (40 hex digits).
    public var certificateThumbprint: String?
    /// The DNS name the certificate is issued for.
    public var certificateDnsName: String?
    /// The HTTPS port of the binding.
    public var port: Int

    public static let defaultPort = 443

    public init(certificateThumbprint: String? = nil, certificateDnsName: String? = nil, port: Int = WebHTTPS.defaultPort) {
        self.certificateThumbprint = certificateThumbprint
        self.certificateDnsName = certificateDnsName
        self.port = port
    }

    /// True when a certificate is named (by thumbprint or DNS name).
    public var hasCertificate: Bool { certificateThumbprint != nil || certificateDnsName != nil }

    /// `base` with the certificate `value` (from `--web-certificate`): a thumbprint-shaped value is the
    /// thumbprint, anything else the certificate's DNS name; the port stays as recorded (443 by default).
    public static func naming(certificate value: String, in base: WebHTTPS?) -> WebHTTPS {
        var binding = base ?? WebHTTPS()
        if isThumbprint(value) {
            binding.certificateThumbprint = value.filter { $0 != " " }.uppercased()
        } else {
            binding.certificateDnsName = value
        }
        return binding
    }

    /// A thumbprint is 40 hex digits (SHA-1), spaces allowed as Windows shows them.
    public static func isThumbprint(_ text: String) -> Bool {
        let digits = text.filter { $0 != " " }
        return digits.count == 40 && digits.allSatisfy(\.isHexDigit)
    }
}

/// A setup requirement of the CCM servers beyond packages (`server_setup` in prerequisites.yaml): the
/// website's HTTPS binding, the Windows features the website needs, SQL Server's service start mode.
public struct SetupRule: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The website must have an HTTPS binding with a certificate.
        case websiteHTTPS = "website_https"
        /// Windows features that must be installed on the web host.
        case windowsFeatures = "windows_features"
        /// SQL Server's service must start automatically.
        case sqlServerService = "sql_server_service"
    }

    public let kind: Kind
    public let ccmRange: VersionRange
    /// For `windows_features`: the feature names (source `windowsfeatures`).
    public let features: [String]
    /// For `sql_server_service`: the start mode, e.g. `automatic`.
    public let startMode: String?
    public let provenance: Provenance
    public let note: String?
    public let location: SourceLocation
}

extension Matrix {
    /// Reads the `server_setup` list of prerequisites.yaml.
    mutating func decodeServerSetup(_ root: Cursor, _ entries: [(key: String, value: Cursor)], _ reader: YAMLReader) {
        // Optional: a matrix without it checks no server setup.
        let list = reader.field(entries, "server_setup", in: root, required: nil)
        serverSetup = reader.sequence(list).compactMap { cursor -> SetupRule? in
            guard let fields = reader.mapping(cursor, allowed: ["kind", "ccm_range", "features", "start_mode", "provenance", "note"]) else { return nil }
            let kindCursor = reader.field(fields, "kind", in: cursor, required: SetupRule.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            var kind: SetupRule.Kind?
            if let kindCursor, let text = reader.string(kindCursor) {
                kind = SetupRule.Kind(rawValue: text)
                if kind == nil {
                    reader.error(.invalidValue(file: cursor.file, line: kindCursor.line, field: kindCursor.field,
                                               expected: SetupRule.Kind.allCases.map(\.rawValue).joined(separator: ", "), found: text))
                }
            }
            let range = reader.range(reader.field(fields, "ccm_range", in: cursor, required: "{ min: \"x\" }"), requireMin: false)
            let features = reader.strings(reader.field(fields, "features", in: cursor, required: kind == .windowsFeatures ? "the Windows feature names" : nil))
            let startMode = reader.string(reader.field(fields, "start_mode", in: cursor, required: kind == .sqlServerService ? "the start mode, e.g. automatic" : nil))
            let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
            guard let kind, let range, let provenance else { return nil }
            return SetupRule(kind: kind, ccmRange: range, features: features, startMode: startMode?.lowercased(), provenance: provenance,
                             note: reader.string(reader.field(fields, "note", in: cursor, required: nil)),
                             location: SourceLocation(file: cursor.file, line: cursor.line))
        }
    }

    /// The setup rules of `kind` that apply to CCM `version`.
    public func setupRules(_ kind: SetupRule.Kind, for version: NuGetVersion) -> [SetupRule] {
        serverSetup.filter { $0.kind == kind && $0.ccmRange.contains(version.stable) }
    }

    /// The rule that makes HTTPS required for CCM `version`, if any.
    public func httpsRule(for version: NuGetVersion) -> SetupRule? { setupRules(.websiteHTTPS, for: version).first }

    /// What to do when the website needs HTTPS and no certificate is recorded.
    public static let httpsRemedy =
        "bind a certificate to the ChocolateyCentralManagement IIS site (HTTPS, port 443; Chocolatey's Quick Start scripts do it with Set-CCMCert.ps1) and record it on the web host of the inventory as https: { certificate_thumbprint: THUMBPRINT } or { certificate_dns_name: NAME } (or pass --web-certificate THUMBPRINT|DNSNAME)"

    /// Server setup checks for one CCM version: HTTPS binding, Windows features, SQL Server's start mode.
    /// A binding the estate does not record is an error (the website does not work without one); Windows
    /// features and the start mode are checked when recorded, like the other platform facts.
    func checkServerSetup(_ version: NuGetVersion, _ estate: Estate, _ findings: inout [Finding]) {
        let name = ccmName(version, estate)
        if let rule = httpsRule(for: version), !(estate.webHTTPS?.hasCertificate ?? false) {
            findings.append(Finding(.error, rule: "prerequisite.https", subject: "CCM website: HTTPS",
                message: "\(name)'s website works only over SSL, and the estate records no certificate for it: \(Self.httpsRemedy)",
                source: rule.provenance.summary, matrixLocation: rule.location.description, note: rule.note))
        }
        for rule in setupRules(.windowsFeatures, for: version) {
            guard let installed = estate.windowsFeatures else { continue }
            let missing = rule.features.filter { feature in !installed.contains { $0.lowercased() == feature.lowercased() } }
            if !missing.isEmpty {
                findings.append(Finding(.error, rule: "prerequisite.windows-features", subject: "CCM website: Windows features",
                    message: "\(name)'s website needs the Windows features \(missing.joined(separator: ", ")); install them first: \(missing.map { "choco install \($0) --source windowsfeatures -y" }.joined(separator: "; "))",
                    source: rule.provenance.summary, matrixLocation: rule.location.description))
            }
        }
        for rule in setupRules(.sqlServerService, for: version) {
            guard let wanted = rule.startMode, let mode = estate.sqlServerStartMode else { continue }
            if mode.lowercased() != wanted {
                findings.append(Finding(.error, rule: "prerequisite.sql-server-service", subject: "SQL Server service",
                    message: "SQL Server's service starts '\(mode)', but CCM needs it to start \(wanted) (after a reboot the database would be down): Set-Service -Name 'MSSQL$<INSTANCE>' -StartupType Automatic",
                    source: rule.provenance.summary, matrixLocation: rule.location.description))
            }
        }
    }
}
