import Versioning

/// Everything a CCM version needs: client package versions and platform prerequisites.
public struct CCMRequirements: Sendable, Hashable, Codable {
    /// The CCM version asked about.
    public let ccm: NuGetVersion
    /// The matrix row the version falls in.
    public let row: CCMRow
    /// The release-notes entry, or nil when the version is inside a row but not a known release.
    public let release: CCMRelease?
    /// Client packages: the row's ranges, narrowed by the communication breaks (e.g. agents >= 0.10.0 need
    /// CCM 0.2.0, so CCM 0.1.x allows agents below 0.10.0 only). Agent, extension, chocolatey order.
    public let clients: [PackageRequirement]
    /// The .NET era (runtime and its packages).
    public let dotnet: DotnetEra?
    /// The era's packages that apply to this exact version (some start mid-era, e.g. at 0.6.2).
    public let prerequisites: [PrerequisitePackage]
    /// The SQL Server and Windows Server minimums.
    public let sqlServer: PlatformMinimum<ServerRelease>?
    public let windowsServer: PlatformMinimum<ServerRelease>?
    /// One per server package that has a PowerShell minimum.
    public let powershell: [PlatformMinimum<NuGetVersion>]
    /// The communication breaks that constrain this version.
    public let communicationBreaks: [CommunicationBreak]
    /// Server setup beyond packages (HTTPS binding, Windows features, SQL Server's start mode).
    public var setup: [SetupRule] = []
    /// True when the version is a release the matrix knows (a release entry, or its own published row).
    public var isKnownRelease = false

    /// True when any part comes from data the docs never published.
    public var reliesOnInference: Bool {
        row.inferred || (sqlServer?.inferred ?? false) || (windowsServer?.inferred ?? false) || powershell.contains(where: \.inferred)
    }

    /// The requirement for one client package id.
    public func client(_ packageID: String) -> PackageRequirement? {
        clients.first { $0.packageID == packageID }
    }
}

extension Matrix {
    /// The minimum (and where published, maximum) version of every client component and prerequisite that
    /// CCM `version` needs. Throws for versions outside every row or without a row (the 2018 beta).
    public func requirements(forCCM version: NuGetVersion) throws(CompatibilityError) -> CCMRequirements {
        let row = try resolveRow(for: version)
        let breaks = communicationBreaks.filter { rule in
            (rule.whenPackage == Self.ccmUnitID && version >= rule.whenMin) || (rule.requiresPackage == Self.ccmUnitID && version < rule.requiresMin)
        }
        let clients = row.requirements.map { requirement -> PackageRequirement in
            var range = requirement.range
            for rule in breaks {
                if rule.whenPackage == Self.ccmUnitID, rule.requiresPackage == requirement.packageID {
                    range = range.intersection(.atLeast(rule.requiresMin)) ?? range
                } else if rule.requiresPackage == Self.ccmUnitID, rule.whenPackage == requirement.packageID {
                    range = range.intersection(VersionRange(min: nil, max: rule.whenMin, maxInclusive: false)) ?? range
                }
            }
            return PackageRequirement(packageID: requirement.packageID, range: range, asPublished: requirement.asPublished)
        }
        let era = dotnetEra(for: version)
        let prerequisites = era?.packages.filter { package in package.ccmMin.map { version >= $0 } ?? true } ?? []
        var requirements = CCMRequirements(
            ccm: version, row: row, release: release(version), clients: clients, dotnet: era, prerequisites: prerequisites,
            sqlServer: sqlServerMinimums.first { $0.ccmRange.contains(version) },
            windowsServer: windowsServerMinimums.first { $0.ccmRange.contains(version) },
            powershell: powershellMinimums.filter { $0.ccmRange.contains(version) }.sorted { ($0.component ?? "") < ($1.component ?? "") },
            communicationBreaks: breaks)
        requirements.setup = serverSetup.filter { $0.ccmRange.contains(version.stable) }
        requirements.isKnownRelease = isKnownRelease(version)
        return requirements
    }

    /// Platform checks for one server version: .NET runtime, prerequisite packages, SQL and Windows Server.
    func checkPrerequisites(_ version: NuGetVersion, _ estate: Estate, _ findings: inout [Finding]) {
        let name = ccmName(version, estate)
        if let era = dotnetEra(for: version) {
            if let runtime = estate.dotnetRuntime, !era.runtimeRange.contains(runtime) {
                findings.append(Finding(.error, rule: "prerequisite.dotnet-runtime", subject: "CCM servers: .NET runtime",
                    message: "\(name) needs the \(era.runtime) runtime (\(era.runtimeRange.prettyDescription); \(era.runtimeRangeBasis)); the servers have \(runtime)",
                    source: era.provenance.summary, matrixLocation: era.location.description))
            }
            checkPrerequisitePackages(version, name, era, estate, &findings)
        }
        checkServerSetup(version, estate, &findings)
        if let sql = estate.sqlServer, let rule = sqlServerMinimums.first(where: { $0.ccmRange.contains(version) }), sql < rule.minimum {
            findings.append(Finding(.error, rule: "prerequisite.sql-server", subject: "SQL Server",
                message: "\(name) needs SQL Server \(rule.minimum) or later; the estate has SQL Server \(sql)",
                source: rule.provenance.summary, matrixLocation: rule.location.description,
                inferred: rule.inferred ? "relies on an inferred SQL Server minimum: \(rule.provenance.note ?? "not published for this CCM range")" : nil))
        }
        if let windows = estate.windowsServer, let rule = windowsServerMinimums.first(where: { $0.ccmRange.contains(version) }), windows < rule.minimum {
            findings.append(Finding(.error, rule: "prerequisite.windows-server", subject: "Windows Server",
                message: "\(name) needs Windows Server \(rule.minimum) or later; the estate has Windows Server \(windows)",
                source: rule.provenance.summary, matrixLocation: rule.location.description,
                inferred: rule.inferred ? "relies on an inferred Windows Server minimum: \(rule.provenance.note ?? "not published for this CCM range")" : nil))
        }
    }

    private func checkPrerequisitePackages(_ version: NuGetVersion, _ name: String, _ era: DotnetEra, _ estate: Estate, _ findings: inout [Finding]) {
        for (id, installed) in estate.prerequisites.sorted(by: { $0.key < $1.key }) {
            let entries = era.packages.filter { $0.id.lowercased() == id && ($0.ccmMin.map { version >= $0 } ?? true) }
            guard !entries.isEmpty else {
                findings.append(Finding(.note, rule: "prerequisite.not-needed", subject: id,
                    message: "\(id) \(installed) is not a prerequisite of \(name) (\(era.runtime) era); it may be left over from an older CCM",
                    source: era.provenance.summary, matrixLocation: era.location.description))
                continue
            }
            for entry in entries where !entry.range.contains(installed) {
                let pinned = entry.docsPinned.isEmpty ? "" : "; the docs pinned \(entry.docsPinned.map(\.normalized).joined(separator: ", then "))"
                findings.append(Finding(.error, rule: "prerequisite.package", subject: id,
                    message: "\(name) needs \(id) \(entry.range.prettyDescription)\(pinned); installed \(installed)",
                    source: era.provenance.summary, matrixLocation: era.location.description))
            }
        }
        // Only documented combinations are known to work (a mismatch is one cause of HTTP 500.19).
        guard let ids = era.documentedPairs.first.map({ Set($0.keys.map { $0.lowercased() }) }),
              ids.allSatisfy({ estate.prerequisites[$0] != nil }) else { return }
        let matches = era.documentedPairs.contains { pair in pair.allSatisfy { estate.prerequisites[$0.key.lowercased()] == $0.value } }
        if !matches {
            let installed = ids.sorted().map { "\($0) \(estate.prerequisites[$0].map(\.normalized) ?? "?")" }.joined(separator: " + ")
            let documented = era.documentedPairs.map { pair in pair.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " + ") }
            findings.append(Finding(.warning, rule: "prerequisite.pairing", subject: ids.sorted().joined(separator: " + "),
                message: "\(installed) is not a documented combination for \(name) (documented: \(documented.joined(separator: "; "))); a mismatch is one cause of HTTP 500.19",
                source: era.provenance.summary, matrixLocation: era.location.description))
        }
    }
}
