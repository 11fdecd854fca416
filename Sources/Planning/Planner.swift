import Compatibility
import Versioning

/// Builds upgrade plans. Pure: everything it needs (matrix, inventory, parameters, feed contents) is passed in.
public struct Planner: Sendable {
    /// Which version a client component (agent, extension, CLI) is upgraded to.
    public enum ClientPolicy: String, Sendable, CaseIterable {
        /// Only components below the target's minimum are upgraded (the smallest safe change).
        case required
        /// Every component older than the newest compatible version in the feed is upgraded.
        case latest
    }

    /// What to upgrade to.
    public enum Target: Sendable, Hashable {
        case version(NuGetVersion)
        /// The newest CCM version whose packages are all available (internal feed plus upstream, when given).
        case latest
    }

    public struct Options: Sendable {
        /// The internal feed every step installs from.
        public var source: String
        /// When false, a package missing from the internal feed is an error instead of an internalize step.
        public var allowInternalize = true
        public var clientPolicy = ClientPolicy.required
        public var includePrerelease = false
        public var generator = "ccm-upgrade"

        public init(source: String) { self.source = source }
    }

    /// The pseudo package id of the internalize step.
    public static let internalizeStepPackage = "ccm-upgrade:internalize"

    public let matrix: Matrix
    /// The CCM package ids; the compiled-in catalogue, like ``ServerRole/packageID``, so one plan never
    /// mixes two spellings of a package.
    private var catalogue: CCMCatalogue { .standard }

    public init(matrix: Matrix) { self.matrix = matrix }

    /// Makes the plan.
    ///
    /// - Parameters:
    ///   - feed: versions in the internal feed, by package id (any case).
    ///   - upstream: versions the community and licensed feeds offer, when known; used for `latest` and to
    ///     prove that missing packages can be internalized.
    public func plan(
        inventory: Inventory, parameters: UpgradeParameters, target: Target,
        feed: [String: [NuGetVersion]], upstream: [String: [NuGetVersion]]? = nil, options: Options
    ) throws(PlanningError) -> UpgradePlan {
        let internalFeed = Self.lowercasedKeys(feed)
        let everywhere = Self.lowercasedKeys(upstream.map { Self.merge(internalFeed, $0) } ?? internalFeed)
        let estate = inventory.estate
        let targetVersion = try resolveTarget(target, available: everywhere, estate: estate, options: options)
        let requirements: CCMRequirements
        do { requirements = try matrix.requirements(forCCM: targetVersion) } catch {
            throw .unknownTarget(version: targetVersion.normalized, known: matrix.knownSpan)
        }
        let current = estate.distinctServerVersions
        if let newest = current.max(), newest > targetVersion {
            throw .impossible(reasons: ["the server packages are at \(newest.normalized), newer than the target \(targetVersion.normalized); ccm-upgrade does not downgrade"])
        }

        var choices = try chooseClientVersions(requirements, available: everywhere, options: options)
        var steps: [PlanStep] = []
        var findings: [Finding] = []
        if case .latest = target {
            findings += newerThanMatrix(everywhere, target: targetVersion, options: options)
        }
        if requirements.reliesOnInference {
            findings.append(Finding(.warning, rule: "matrix.inferred-row", subject: "ccm \(targetVersion.normalized)",
                                    message: "the matrix row for CCM \(targetVersion.normalized) was never published; it is inferred from neighbouring rows"))
        }

        // Server hosts: client prerequisites first (chocolatey before chocolatey.extension), then the roles in order.
        let roleHosts = inventory.hosts.filter { !$0.roles.isEmpty }
        for host in roleHosts {
            for id in [catalogue.chocolateyID, catalogue.extensionID] {
                if let step = clientStep(id, installed: host.packages[id], choices: &choices, requirements: requirements, options: options) {
                    steps.append(PlanStep(phase: .serverPrerequisites, host: host.name, package: id, version: step.version,
                                          fromVersion: host.packages[id], notes: step.notes))
                }
            }
        }
        let serverFrom = estate.distinctServerVersions.min()
        for role in Inventory.Role.allCases {
            guard let host = inventory.host(with: role) else { continue }
            let installed = host.packages[role.packageID]
            if installed == targetVersion { continue }
            let (plain, sensitive, notes) = ServiceParameterRules.parameters(for: role, host: host.name, parameters: parameters, target: targetVersion,
                                                                            https: host.https, httpsRequired: matrix.httpsRule(for: targetVersion) != nil)
            steps.append(PlanStep(phase: PlanStep.Phase(rawValue: role.rawValue)!, host: host.name, package: role.packageID,
                                  version: targetVersion, fromVersion: installed, parameters: plain, sensitiveParameters: sensitive, notes: notes))
        }
        // The agents on the CCM hosts (service host first), then every client group.
        let agentHosts = roleHosts.sorted { ($0.roles.contains(.service) ? 0 : 1, $0.name) < ($1.roles.contains(.service) ? 0 : 1, $1.name) }
        for host in agentHosts where host.packages[catalogue.agentID] != nil {
            if let step = clientStep(catalogue.agentID, installed: host.packages[catalogue.agentID], choices: &choices, requirements: requirements, options: options) {
                let (plain, sensitive, notes) = ServiceParameterRules.agentParameters(parameters)
                steps.append(PlanStep(phase: .hostAgent, host: host.name, package: catalogue.agentID, version: step.version,
                                      fromVersion: host.packages[catalogue.agentID], parameters: plain, sensitiveParameters: sensitive,
                                      notes: step.notes + notes + ["every agent upgrade restarts the chocolatey-agent service"]))
            }
        }
        for group in inventory.groups {
            for id in [catalogue.chocolateyID, catalogue.extensionID, catalogue.agentID] {
                guard let step = clientStep(id, installed: group.packages[id], choices: &choices, requirements: requirements, options: options) else { continue }
                var plain: [PackageParameter] = [], sensitive: [PackageParameter] = [], notes = step.notes
                if id == catalogue.agentID {
                    let agent = ServiceParameterRules.agentParameters(parameters)
                    (plain, sensitive, notes) = (agent.plain, agent.sensitive, notes + agent.notes)
                }
                steps.append(PlanStep(phase: .clientAgents, group: group.name, package: id, version: step.version,
                                      fromVersion: group.packages[id], parameters: plain, sensitiveParameters: sensitive, notes: notes))
            }
        }

        // Everything the steps install must be in the internal feed; what is not gets an internalize step.
        var needed = steps.map { ($0.package, $0.version) }
        // The target's .NET prerequisites come with its server steps (the service and the website run on
        // them): an estate whose servers are already at the target needs none brought in.
        let upgradesServers = steps.contains { [.database, .service, .web].contains($0.phase) }
        for prerequisite in requirements.prerequisites where !prerequisite.optional && upgradesServers {
            if let version = prerequisite.recommended ?? prerequisite.range.minVersion { needed.append((prerequisite.id, version)) }
        }
        var missing: [PinnedPackage] = []
        var seen = Set<String>()
        for (id, version) in needed where !(internalFeed[id.lowercased()] ?? []).contains(version) {
            let package = PinnedPackage(id: id, version: version)
            if seen.insert(package.description.lowercased()).inserted { missing.append(package) }
        }
        if !missing.isEmpty {
            guard options.allowInternalize else { throw .packagesMissing(feed: options.source, packages: missing.map(\.description)) }
            if let upstream {
                let upstreamKeys = Self.lowercasedKeys(upstream)
                let unavailable = missing.filter { !(upstreamKeys[$0.id.lowercased()] ?? []).contains($0.version) }
                if !unavailable.isEmpty {
                    throw .impossible(reasons: unavailable.map { "\($0) is neither in the internal feed nor in the upstream feeds" })
                }
            }
            steps.insert(PlanStep(phase: .internalize, package: Self.internalizeStepPackage, version: targetVersion, packages: missing,
                                  notes: ["licensed packages are copied byte for byte, never internalized or modified; community packages get their installers embedded and verified, so they install offline"]), at: 0)
        }
        for index in steps.indices { steps[index].number = index + 1 }
        let fingerprintIDs = Set(needed.map { $0.0.lowercased() })

        findings += try preflight(inventory: inventory, target: targetVersion, steps: steps, requirements: requirements)
        return UpgradePlan(
            generator: options.generator, target: targetVersion, from: serverFrom, source: options.source,
            estateFingerprint: Fingerprint.of(inventory), feedFingerprint: Fingerprint.ofFeed(internalFeed, ids: fingerprintIDs),
            feedFingerprintPackages: fingerprintIDs.sorted(),
            preflight: findings.sorted(), steps: steps)
    }

    private func resolveTarget(_ target: Target, available: [String: [NuGetVersion]], estate: Estate, options: Options) throws(PlanningError) -> NuGetVersion {
        switch target {
        case let .version(version):
            return version
        case .latest:
            let reachability = matrix.newestReachableTarget(available: available, estate: estate, includePrerelease: options.includePrerelease,
                                                            includePrerequisites: false)
            guard let reachable = reachability.target else {
                let reasons = reachability.unreachable.prefix(3).map { "CCM \($0.ccm.normalized): " + $0.reasons.joined(separator: "; ") }
                throw .impossible(reasons: reasons.isEmpty ? ["no CCM version is available in the feeds"] : reasons)
            }
            return reachable.ccm
        }
    }

    /// `--to latest` stops at the newest version the matrix knows; when the feeds hold a newer CCM, say so
    /// (naming it) instead of stopping there silently.
    private func newerThanMatrix(_ available: [String: [NuGetVersion]], target: NuGetVersion, options: Options) -> [Finding] {
        let newer = matrix.versionsNewerThanRows(in: available, includePrerelease: options.includePrerelease)
        guard let newest = newer.first else { return [] }
        let list = newer.prefix(5).map(\.normalized).joined(separator: ", ")
        return [Finding(.warning, rule: "matrix.newer-ccm-in-feed", subject: "ccm \(newest.normalized)",
                        message: "the feeds hold CCM \(list), newer than this matrix knows (\(matrix.knownSpan)); the plan stops at \(target.normalized). Add a row for CCM \(newest.normalized) to matrix/ccm-compatibility.yaml once Chocolatey publishes it (docs/adding-a-ccm-release.md), or pass --matrix PATH with a newer copy",
                        source: "matrix \(matrix.origin)")]
    }

    /// Picks one version per client component: the newest available that meets the target's requirement
    /// and the product dependency rules of the versions picked above it (agent → extension → chocolatey).
    private func chooseClientVersions(_ requirements: CCMRequirements, available: [String: [NuGetVersion]], options: Options) throws(PlanningError) -> [String: (range: VersionRange, version: NuGetVersion)] {
        var ranges: [String: VersionRange] = [:]
        for id in [catalogue.agentID, catalogue.extensionID, catalogue.chocolateyID] {
            ranges[id] = requirements.client(id)?.range ?? .all
        }
        var choices: [String: (range: VersionRange, version: NuGetVersion)] = [:]
        for id in [catalogue.agentID, catalogue.extensionID, catalogue.chocolateyID] {
            let range = ranges[id] ?? .all
            let picked = range.newest(in: available[id] ?? [], includePrerelease: options.includePrerelease) ?? range.minVersion
            guard let picked else {
                throw .impossible(reasons: ["no version of \(id) satisfies \(range.prettyDescription) and none is in the feeds"])
            }
            choices[id] = (range, picked)
            for requirement in matrix.dependencyRequirements(of: id, at: picked) {
                let key = requirement.packageID.lowercased()
                guard let current = ranges[key] else { continue }
                guard let narrowed = current.intersection(requirement.range) else {
                    throw .impossible(reasons: ["\(id) \(picked.normalized) needs \(key) \(requirement.range.prettyDescription), which the target's \(current.prettyDescription) excludes"])
                }
                ranges[key] = narrowed
            }
        }
        return choices
    }

    private func clientStep(
        _ id: String, installed: NuGetVersion?, choices: inout [String: (range: VersionRange, version: NuGetVersion)],
        requirements: CCMRequirements, options: Options
    ) -> (version: NuGetVersion, notes: [String])? {
        guard let choice = choices[id] else { return nil }
        guard let installed else {
            return (choice.version, ["the installed version is unknown; \(id) \(choice.version.normalized) is the version CCM \(requirements.ccm.normalized) needs"])
        }
        switch options.clientPolicy {
        case .required where choice.range.contains(installed) && !(choice.range.minVersion.map { installed < $0 } ?? false):
            return nil
        case .latest where installed >= choice.version:
            return nil
        default:
            guard installed < choice.version else { return nil }
            var notes = ["\(installed.normalized) → \(choice.version.normalized): CCM \(requirements.ccm.normalized) needs \(id) \(choice.range.prettyDescription)"]
            if installed.major < choice.version.major {
                notes.append("a major upgrade (\(installed.major).x → \(choice.version.major).x): Chocolatey advises being on the latest \(installed.major).x first")
            }
            return (choice.version, notes)
        }
    }

    /// The matrix errors the estate would have after `steps` ran; empty when the result is compatible.
    /// `run` calls it again on a plan file, so a plan that no longer passes the matrix does not start.
    public func preflightErrors(inventory: Inventory, steps: [PlanStep]) -> [Finding] {
        matrix.check(estate(inventory, after: steps).estate, duringUpgrade: false).findings.filter { $0.severity == .error }
    }

    /// The inventory as it will be once `steps` have run, including the .NET prerequisites a server step
    /// brings along: choco resolves the server package's dependencies from the internal feed (where the
    /// internalize step put the documented versions), so a runtime a role host lists below the target's
    /// range is upgraded with it — the database host's as much as the web host's.
    func estate(_ inventory: Inventory, after steps: [PlanStep]) -> Inventory {
        var after = Self.estate(inventory, after: steps)
        for step in steps where ServerRole.allCases.contains(where: { $0.packageID == step.package }) {
            guard let host = step.host, let index = after.hosts.firstIndex(where: { $0.name == host }),
                  let requirements = try? matrix.requirements(forCCM: step.version) else { continue }
            for prerequisite in requirements.prerequisites where prerequisite.requiredBy.contains(step.package) {
                let id = prerequisite.id.lowercased()
                guard let installed = after.hosts[index].packages[id], !prerequisite.range.contains(installed),
                      let version = prerequisite.recommended ?? prerequisite.range.minVersion else { continue }
                after.hosts[index].packages[id] = version
            }
        }
        return after
    }

    /// The inventory as it will be once `steps` have run (package versions only).
    static func estate(_ inventory: Inventory, after steps: [PlanStep]) -> Inventory {
        var after = inventory
        for step in steps where step.phase != .internalize {
            if let host = step.host, let index = after.hosts.firstIndex(where: { $0.name == host }) {
                after.hosts[index].packages[step.package.lowercased()] = step.version
            }
            if let group = step.group, let index = after.groups.firstIndex(where: { $0.name == group }) {
                after.groups[index].packages[step.package.lowercased()] = step.version
            }
        }
        return after
    }

    private func preflight(inventory: Inventory, target: NuGetVersion, steps: [PlanStep], requirements: CCMRequirements) throws(PlanningError) -> [Finding] {
        // The estate as it will be after the plan: it must pass the matrix, or the plan is impossible.
        let report = matrix.check(estate(inventory, after: steps).estate, duringUpgrade: false)
        let errors = report.findings.filter { $0.severity == .error }
        if !errors.isEmpty { throw .impossible(reasons: errors.map { "\($0.subject): \($0.message) [\($0.rule)]" }) }
        var findings = report.findings
        if let dotnet = requirements.dotnet {
            findings.append(Finding(.note, rule: "prerequisite.dotnet", subject: "server hosts",
                                    message: "CCM \(target.normalized) runs on \(dotnet.runtime) (\(dotnet.runtimeRange.prettyDescription)); the service and web packages pull it from the internal feed"))
        }
        if let windows = requirements.windowsServer {
            findings.append(Finding(.note, rule: "prerequisite.windows-server", subject: "server hosts", message: "Windows Server \(windows.minimum) or newer"))
        }
        if let sql = requirements.sqlServer {
            findings.append(Finding(.note, rule: "prerequisite.sql-server", subject: "database host", message: "SQL Server \(sql.minimum) or newer"))
        }
        for rule in requirements.setup {
            switch rule.kind {
            case .websiteHTTPS:
                findings.append(Finding(.note, rule: "prerequisite.https", subject: "web host", message: "the website works only over SSL: keep its HTTPS binding"))
            case .windowsFeatures:
                findings.append(Finding(.note, rule: "prerequisite.windows-features", subject: "web host", message: "Windows features \(rule.features.joined(separator: ", "))"))
            case .sqlServerService:
                findings.append(Finding(.note, rule: "prerequisite.sql-server-service", subject: "database host", message: "SQL Server's service starts \(rule.startMode ?? "automatic")"))
            }
        }
        findings.append(Finding(.note, rule: "procedure.backup", subject: "before step 1",
                                message: "back up the ChocolateyManagement database and C:\\tools\\\(ServerRole.web.packageID)\\appsettings.json (or snapshot the VMs)"))
        return findings
    }

    static func lowercasedKeys(_ map: [String: [NuGetVersion]]) -> [String: [NuGetVersion]] {
        Dictionary(map.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: +)
    }

    static func merge(_ a: [String: [NuGetVersion]], _ b: [String: [NuGetVersion]]) -> [String: [NuGetVersion]] {
        a.merging(lowercasedKeys(b), uniquingKeysWith: { Array(Set($0 + $1)) })
    }
}
