import Versioning

/// Checking an estate against the matrix.
extension Matrix {
    /// Where the rule "database, service and web are one unit" is published (index.mdx callout, setup pages).
    static let sameVersionSource = "chocolatey/docs src/content/docs/en-us/central-management/index.mdx (callout); setup/index.mdx; setup/upgrade.mdx @ ba20f707"
    static let upgradeOrderSource = "chocolatey/docs src/content/docs/en-us/central-management/setup/upgrade.mdx; central-management/index.mdx @ ba20f707"

    /// Every incompatibility in `estate`, each with the rule it breaks and that rule's source.
    ///
    /// The three server packages must be at one version; when they differ the finding is a warning if
    /// `duringUpgrade` (the short window of an upgrade) and an error otherwise. Clients are checked against
    /// every server version present. A CCM version outside every row is an error ("unknown to this matrix"),
    /// never a silent pass.
    public func check(_ estate: Estate, duringUpgrade: Bool = false) -> CheckReport {
        var findings = checkServerUnit(estate, duringUpgrade: duringUpgrade)
        let versions = estate.distinctServerVersions
        if versions.isEmpty {
            findings.append(Finding(.note, rule: "estate.no-ccm", subject: "estate",
                message: "no CCM server version given; only product dependencies between client packages were checked"))
        }
        if estate.groups.allSatisfy({ $0.packages.isEmpty }) {
            findings.append(Finding(.note, rule: "estate.no-clients", subject: "estate",
                message: "no client package versions given; agents, chocolatey.extension and chocolatey were not checked"))
        }
        for version in versions {
            guard let row = resolve(version, estate, &findings) else { continue }
            checkClients(version, row, estate, &findings)
            checkPrerequisites(version, estate, &findings)
        }
        checkBreaks(estate, &findings)
        checkDependencies(estate, &findings)
        checkClientVersionsKnown(estate, &findings)
        for id in estate.prerequisites.keys.sorted() where package(id)?.role != .prerequisite {
            findings.append(Finding(.warning, rule: "estate.unknown-package", subject: id,
                message: "'\(id)' is not a prerequisite package this matrix knows (a typo?); not checked"))
        }
        return CheckReport(matrix: origin, ccmVersions: versions.map(\.normalized), findings: findings)
    }

    /// `CCM 0.14.0`, or `CCM 0.14.0 (service, web)` while the server packages differ.
    func ccmName(_ version: NuGetVersion, _ estate: Estate) -> String {
        guard estate.distinctServerVersions.count > 1 else { return "CCM \(version)" }
        let parts = estate.serverVersions.filter { $0.version == version }.compactMap { catalogue.serverRole(of: $0.id)?.rawValue }
        return "CCM \(version) (\(parts.joined(separator: ", ")))"
    }

    private func checkServerUnit(_ estate: Estate, duringUpgrade: Bool) -> [Finding] {
        var findings: [Finding] = []
        let servers = estate.serverVersions
        if Set(servers.map(\.version)).count > 1 {
            let list = servers.map { "\($0.id) \($0.version)" }.joined(separator: ", ")
            let message = duringUpgrade
                ? "the server packages differ (\(list)); allowed only while this upgrade is in progress: finish it (database, then service, then web) before upgrading agents"
                : "the server packages differ (\(list)); they are one unit and must be at the same version (mixed versions are supported only while an upgrade is in progress: --during-upgrade)"
            findings.append(Finding(duringUpgrade ? .warning : .error, rule: "ccm.same-version", subject: "CCM server packages", message: message, source: Self.sameVersionSource))
        }
        // Upgrade order is database → service → web: a later package may never be newer than an earlier one.
        for (index, earlier) in servers.enumerated() {
            for later in servers.dropFirst(index + 1) where later.version > earlier.version {
                findings.append(Finding(.error, rule: "ccm.upgrade-order", subject: later.id,
                    message: "\(later.id) \(later.version) is newer than \(earlier.id) \(earlier.version); upgrade in the order database, service, web (out of order leads to 'SqlException: Invalid column name')",
                    source: Self.upgradeOrderSource))
            }
        }
        return findings
    }

    /// The row for a server version, recording why there is none (or that it is inferred or unreleased).
    private func resolve(_ version: NuGetVersion, _ estate: Estate, _ findings: inout [Finding]) -> CCMRow? {
        let name = ccmName(version, estate)
        if let unlisted = unlistedVersion(version) {
            findings.append(Finding(.error, rule: "ccm.unlisted-version", subject: name,
                message: "\(name) has no compatibility row and is not supported: \(unlisted.problem)",
                source: unlisted.provenance.summary, matrixLocation: unlisted.location.description))
            return nil
        }
        guard let row = row(for: version) else {
            findings.append(Finding(.error, rule: "matrix.unknown-ccm-version", subject: name,
                message: "\(name) is unknown to this matrix (\(knownSpan)); its requirements cannot be checked. Update matrix/ (or pass --matrix PATH with a newer copy)",
                source: "matrix \(origin)"))
            return nil
        }
        if !isKnownRelease(version) {
            findings.append(Finding(.warning, rule: "matrix.unknown-ccm-release", subject: name,
                message: "\(name) is not a release this matrix knows\(version.isPrerelease ? " (it is a prerelease)" : ""); assuming row '\(row.label)' (\(row.ccmRange.prettyDescription)) applies. If it is a new release, update matrix/",
                source: row.provenance.summary, matrixLocation: row.location.description))
        }
        if row.inferred {
            findings.append(Finding(.note, rule: "matrix.inferred-row", subject: name,
                message: "the docs never published a row for \(name); its requirements come from the inferred row '\(row.label)'",
                source: row.provenance.summary, matrixLocation: row.location.description, inferred: inferredText(row)))
        }
        return row
    }

    func inferredText(_ row: CCMRow) -> String? {
        guard row.inferred else { return nil }
        return "relies on inferred row '\(row.label)'" + (row.provenance.note.map { ": \($0)" } ?? "")
    }

    private func checkClients(_ version: NuGetVersion, _ row: CCMRow, _ estate: Estate, _ findings: inout [Finding]) {
        let name = ccmName(version, estate)
        for group in estate.groups where !group.packages.isEmpty {
            for requirement in row.requirements {
                let subject = "\(group.name): \(requirement.packageID)"
                guard let installed = group.version(of: requirement.packageID) else {
                    findings.append(Finding(.note, rule: "estate.missing-version", subject: subject,
                        message: "\(requirement.packageID) version not given for group '\(group.name)'; not checked against \(name)"))
                    continue
                }
                guard !requirement.range.contains(installed) else { continue }
                let advice: String
                if let max = requirement.range.maxVersion, installed >= max {
                    advice = "\(requirement.packageID) \(installed) is too new for \(name); upgrade CCM first"
                } else {
                    advice = "upgrade \(requirement.packageID) to at least \(requirement.range.minVersion?.normalized ?? "?")"
                }
                findings.append(Finding(.error, rule: "ccm.client-version", subject: subject,
                    message: "\(name) (row '\(row.label)') needs \(requirement.packageID) \(requirement.readable); group '\(group.name)' has \(installed): \(advice)",
                    source: row.provenance.summary, matrixLocation: row.location.description, inferred: inferredText(row), note: row.note))
            }
        }
    }

    private func checkBreaks(_ estate: Estate, _ findings: inout [Finding]) {
        func installed(_ packageID: String) -> [(subject: String, name: String, version: NuGetVersion)] {
            if packageID == Self.ccmUnitID {
                return estate.distinctServerVersions.map { (ccmName($0, estate), ccmName($0, estate), $0) }
            }
            return estate.groups.compactMap { group in
                group.version(of: packageID).map { ("\(group.name): \(packageID)", "\(packageID) \($0) in group '\(group.name)'", $0) }
            }
        }
        for rule in communicationBreaks {
            for when in installed(rule.whenPackage) where when.version >= rule.whenMin {
                for other in installed(rule.requiresPackage) where other.version < rule.requiresMin {
                    let required = rule.requiresPackage == Self.ccmUnitID ? "CCM" : rule.requiresPackage
                    findings.append(Finding(.error, rule: "break.\(rule.id)",
                        subject: rule.whenPackage == Self.ccmUnitID ? other.subject : when.subject,
                        message: "\(when.name) needs \(required) >= \(rule.requiresMin), but \(other.name) is older: \(rule.effect)",
                        source: rule.provenance.summary, matrixLocation: rule.location.description))
                }
            }
        }
    }

    private func checkDependencies(_ estate: Estate, _ findings: inout [Finding]) {
        for group in estate.groups {
            for (packageID, version) in group.packages.sorted(by: { $0.key < $1.key }) {
                for (requirement, rule) in applicableDependencyRules(of: packageID, at: version) {
                    let subject = "\(group.name): \(packageID)"
                    guard let dependency = group.version(of: requirement.packageID) else {
                        findings.append(Finding(.note, rule: "estate.missing-version", subject: "\(group.name): \(requirement.packageID)",
                            message: "\(requirement.packageID) version not given for group '\(group.name)'; \(packageID) \(version) needs it \(requirement.range.prettyDescription)"))
                        continue
                    }
                    guard !requirement.range.contains(dependency) else { continue }
                    findings.append(Finding(.error, rule: "dependency.minimum", subject: subject,
                        message: "\(packageID) \(version) needs \(requirement.packageID) \(requirement.range.prettyDescription) (rule for \(packageID) \(rule.version)); group '\(group.name)' has \(dependency)",
                        source: rule.provenance.summary, matrixLocation: rule.location.description))
                }
            }
        }
    }

    /// Client versions newer than anything the matrix knows: a new major is an error (its requirements
    /// may have changed), a newer minor or patch a warning.
    private func checkClientVersionsKnown(_ estate: Estate, _ findings: inout [Finding]) {
        for group in estate.groups {
            for (packageID, version) in group.packages.sorted(by: { $0.key < $1.key }) {
                let subject = "\(group.name): \(packageID)"
                guard package(packageID)?.role == .client else {
                    findings.append(Finding(.warning, rule: "estate.unknown-package", subject: subject,
                        message: "'\(packageID)' is not a client package this matrix knows; not checked"))
                    continue
                }
                guard let newest = knownVersions(of: packageID).max(), version > newest else { continue }
                let newMajor = version.major > newest.major
                findings.append(Finding(newMajor ? .error : .warning, rule: "matrix.unknown-package-version", subject: subject,
                    message: "\(packageID) \(version) is newer than any \(packageID) version this matrix knows (newest \(newest))\(newMajor ? "; a new major may change its requirements" : ""). Update matrix/ (product-dependencies.yaml)",
                    source: "matrix \(origin)"))
            }
        }
    }

    /// What `packageID` at `version` needs, per dependency: the newest non-erratum rule at or below
    /// `version` that names that dependency (a rule holds until a later rule for the same package replaces it).
    public func applicableDependencyRules(of packageID: String, at version: NuGetVersion) -> [(requirement: PackageRequirement, rule: DependencyRule)] {
        let rules = dependencyRules.filter { !$0.erratum && $0.packageID.lowercased() == packageID.lowercased() && $0.version <= version }
            .sorted { $0.version < $1.version }
        var byDependency: [String: (PackageRequirement, DependencyRule)] = [:]
        for rule in rules {
            for requirement in rule.requires {
                if let existing = byDependency[requirement.packageID], let old = existing.0.range.minVersion,
                   let new = requirement.range.minVersion, existing.1.version == rule.version, old > new {
                    continue // Two rules at one version (table + release notes): keep the stricter.
                }
                byDependency[requirement.packageID] = (requirement, rule)
            }
        }
        return byDependency.sorted { $0.key < $1.key }.map { (requirement: $0.value.0, rule: $0.value.1) }
    }

    /// The minimum versions `packageID` at `version` needs, one per dependency.
    public func dependencyRequirements(of packageID: String, at version: NuGetVersion) -> [PackageRequirement] {
        applicableDependencyRules(of: packageID, at: version).map(\.requirement)
    }

    /// Every version of `packageID` the matrix mentions (rule versions and row minimums).
    public func knownVersions(of packageID: String) -> [NuGetVersion] {
        let id = packageID.lowercased()
        var versions = dependencyRules.filter { $0.packageID.lowercased() == id }.map(\.version)
        versions += dependencyRules.flatMap(\.requires).filter { $0.packageID.lowercased() == id }.compactMap(\.range.minVersion)
        versions += rows.compactMap { $0.requirement(for: id)?.range.minVersion }
        return versions
    }
}
