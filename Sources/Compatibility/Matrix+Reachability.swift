import Versioning

/// Where a package is installed now, and whether the planned target needs it changed.
public struct InstalledVersion: Sendable, Hashable, Codable {
    /// A server package id, or a client group name.
    public let place: String
    /// nil when the estate did not say.
    public let version: NuGetVersion?
    /// True when the version is unknown or outside what the target needs.
    public let needsChange: Bool
}

/// One package of a reachable target: what the target needs, the feed version chosen, and who must move.
public struct PlannedPackage: Sendable, Hashable, Codable {
    /// The package id and its role.
    public let packageID: String
    public let role: KnownPackage.Role
    /// What the target needs (row range narrowed by the other chosen packages' dependencies).
    public let required: VersionRange
    /// The newest feed version that fits `required` and whose own dependencies the other choices meet.
    public let selected: NuGetVersion
    /// Current versions, per server package or client group (empty when the estate has none).
    public let installed: [InstalledVersion]

    /// True when the package must be upgraded (or installed, or verified because its version is unknown).
    public var mustUpgrade: Bool { installed.isEmpty || installed.contains(where: \.needsChange) }

    /// Places where reaching the target would mean going down (e.g. servers already on a newer CCM than the
    /// feed can reach); a plan should refuse rather than downgrade.
    public var wouldDowngrade: [String] {
        installed.filter { $0.needsChange && ($0.version.map { $0 > selected } ?? false) }.map(\.place)
    }
}

/// A CCM version that could be a target, and why it is not reachable.
public struct UnreachableTarget: Sendable, Hashable, Codable {
    public let ccm: NuGetVersion
    /// One reason per missing package (or "unknown to this matrix").
    public let reasons: [String]
}

/// The newest CCM version whose required packages are all in the feed, with the packages that go with it.
public struct ReachableTarget: Sendable, Hashable, Codable {
    public let ccm: NuGetVersion
    public let requirements: CCMRequirements
    /// Server packages (upgrade order), then prerequisites, then clients (dependencies first).
    public let packages: [PlannedPackage]

    /// The packages that must change to reach the target.
    public var mustUpgrade: [PlannedPackage] { packages.filter(\.mustUpgrade) }
}

/// The answer to "how far can this feed take us": the target (if any) and every newer version that is not
/// reachable, with reasons, so a plan can say what to internalize next.
public struct Reachability: Sendable, Hashable, Codable {
    /// The newest reachable target, or nil when none is.
    public let target: ReachableTarget?
    /// Newer candidates than `target`, newest first.
    public let unreachable: [UnreachableTarget]
}

extension Matrix {
    /// The newest CCM version whose server packages (all three at that version), client packages and
    /// (unless `includePrerequisites` is false) .NET prerequisite packages are all available, in a
    /// combination that meets the matrix row and the product dependency rules.
    ///
    /// - Parameters:
    ///   - available: package id (any case) → versions in the feed.
    ///   - estate: current versions, to tell what must be upgraded; optional.
    ///   - includePrerelease: consider prerelease CCM and package versions.
    public func newestReachableTarget(
        available: [String: [NuGetVersion]], estate: Estate? = nil, includePrerelease: Bool = false, includePrerequisites: Bool = true
    ) -> Reachability {
        let feed = Dictionary(available.map { ($0.key.lowercased(), $0.value.filter { includePrerelease || !$0.isPrerelease }) }, uniquingKeysWith: +)
        let serverVersions = catalogue.serverPackageIDs.map { Set(feed[$0] ?? []) }
        var candidates = Set(releases.map(\.version).filter { includePrerelease || !$0.isPrerelease })
        candidates.formUnion(serverVersions.reduce(serverVersions.first ?? []) { $0.intersection($1) })
        var unreachable: [UnreachableTarget] = []
        for ccm in candidates.sorted(by: >) where unlistedVersion(ccm) == nil {
            let requirements: CCMRequirements
            do {
                requirements = try self.requirements(forCCM: ccm)
            } catch {
                unreachable.append(UnreachableTarget(ccm: ccm, reasons: ["\(error)"]))
                continue
            }
            var reasons: [String] = []
            for (id, versions) in zip(catalogue.serverPackageIDs, serverVersions) where !versions.contains(ccm) {
                reasons.append("the feed has no \(id) \(ccm)")
            }
            var packages: [PlannedPackage] = []
            if reasons.isEmpty {
                packages = catalogue.serverPackageIDs.map { id in
                    let current = estate?.serverVersions.first { $0.id == id }?.version
                    let installed = estate.map { _ in [InstalledVersion(place: id, version: current, needsChange: current != ccm)] } ?? []
                    return PlannedPackage(packageID: id, role: .server, required: .exactly(ccm), selected: ccm, installed: installed)
                }
            }
            if includePrerequisites {
                let (chosen, missing) = selectPrerequisites(requirements, feed, estate)
                packages += chosen
                reasons += missing
            }
            let (clients, missing) = selectClients(requirements, feed, estate)
            packages += clients
            reasons += missing
            if reasons.isEmpty {
                return Reachability(target: ReachableTarget(ccm: ccm, requirements: requirements, packages: packages), unreachable: unreachable)
            }
            unreachable.append(UnreachableTarget(ccm: ccm, reasons: reasons))
        }
        return Reachability(target: nil, unreachable: unreachable)
    }

    private func selectPrerequisites(_ requirements: CCMRequirements, _ feed: [String: [NuGetVersion]], _ estate: Estate?) -> ([PlannedPackage], [String]) {
        var chosen: [String: NuGetVersion] = [:]
        var reasons: [String] = []
        let needed = requirements.prerequisites.filter { !$0.optional }
        // Prefer the newest documented combination when the era names some (mismatches break IIS hosting).
        if let pairs = requirements.dotnet?.documentedPairs {
            let usable = pairs.filter { pair in pair.allSatisfy { (feed[$0.key.lowercased()] ?? []).contains($0.value) } }
            if let best = usable.max(by: { ($0.values.max() ?? NuGetVersion(major: 0)) < ($1.values.max() ?? NuGetVersion(major: 0)) }) {
                for (id, version) in best { chosen[id.lowercased()] = version }
            }
        }
        var packages: [PlannedPackage] = []
        for package in needed {
            let id = package.id.lowercased()
            guard let selected = chosen[id] ?? package.range.newest(in: feed[id] ?? [], includePrerelease: true) else {
                reasons.append("the feed has no \(package.id) \(package.range.prettyDescription) (needed by \(package.requiredBy.joined(separator: ", ")) for \(requirements.dotnet?.runtime ?? ".NET"))")
                continue
            }
            let installed = estate.map { estate in
                [InstalledVersion(place: "CCM servers", version: estate.prerequisites[id], needsChange: estate.prerequisites[id].map { !package.range.contains($0) } ?? true)]
            } ?? []
            packages.append(PlannedPackage(packageID: package.id, role: .prerequisite, required: package.range, selected: selected, installed: installed))
        }
        return (packages, reasons)
    }

    /// Chooses client versions dependencies first, each the newest in range whose own dependency rules the
    /// earlier choices meet. All rules are minimums, so the newest fitting choice never rules out another.
    private func selectClients(_ requirements: CCMRequirements, _ feed: [String: [NuGetVersion]], _ estate: Estate?) -> ([PlannedPackage], [String]) {
        let ids = requirements.clients.map(\.packageID)
        let ordered = ids.sorted { dependencyDepth($0, among: ids) < dependencyDepth($1, among: ids) || (dependencyDepth($0, among: ids) == dependencyDepth($1, among: ids) && $0 < $1) }
        var selected: [String: NuGetVersion] = [:]
        var reasons: [String] = []
        for id in ordered {
            guard let requirement = requirements.client(id) else { continue }
            let candidates = (feed[id.lowercased()] ?? []).filter { requirement.range.contains($0) }.sorted(by: >)
            let fitting = candidates.first { candidate in
                dependencyRequirements(of: id, at: candidate).allSatisfy { need in selected[need.packageID].map { need.range.contains($0) } ?? true }
            }
            guard let fitting else {
                reasons.append(candidates.isEmpty
                    ? "the feed has no \(id) \(requirement.range.prettyDescription)"
                    : "no \(id) \(requirement.range.prettyDescription) in the feed has its dependencies met by the chosen \(selected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
                continue
            }
            selected[id] = fitting
        }
        guard reasons.isEmpty else { return ([], reasons) }
        var packages: [PlannedPackage] = []
        for id in ordered {
            guard let requirement = requirements.client(id), let version = selected[id] else { continue }
            // What every group must have: the row's range, raised to what the chosen dependents need.
            var required = requirement.range
            for (other, otherVersion) in selected where other != id {
                for need in dependencyRequirements(of: other, at: otherVersion) where need.packageID == id {
                    required = required.intersection(need.range) ?? required
                }
            }
            let installed = (estate?.groups ?? []).map { group in
                InstalledVersion(place: group.name, version: group.version(of: id), needsChange: group.version(of: id).map { !required.contains($0) } ?? true)
            }
            packages.append(PlannedPackage(packageID: id, role: .client, required: required, selected: version, installed: installed))
        }
        return (packages, [])
    }

    /// How many dependency hops `id` sits above the others in `ids` (chocolatey 0, extension 1, agent 2).
    func dependencyDepth(_ id: String, among ids: [String], seen: Set<String> = []) -> Int {
        guard !seen.contains(id) else { return 0 }
        let dependencies = Set(dependencyRules.filter { $0.packageID == id && !$0.erratum }.flatMap(\.requires).map(\.packageID)).intersection(ids)
        return dependencies.map { dependencyDepth($0, among: ids, seen: seen.union([id])) + 1 }.max() ?? 0
    }
}

extension Matrix {
    /// CCM versions the feed offers (any of the three server packages) that are newer than every row, so
    /// no target search can reach them: "the feed holds CCM 0.18.0 but this matrix ends at 0.17.x". Newest
    /// first; prereleases only when `includePrerelease`. A caller that silently stopped at the newest known
    /// version would hide a release the operator may be waiting for.
    public func versionsNewerThanRows(in available: [String: [NuGetVersion]], includePrerelease: Bool = false) -> [NuGetVersion] {
        guard let end = newestRow?.ccmRange.maxVersion else { return [] }
        let serverIDs = Set(catalogue.serverPackageIDs)
        let offered = available.filter { serverIDs.contains($0.key.lowercased()) }.flatMap(\.value)
        let newer = offered.filter { (includePrerelease || !$0.isPrerelease) && $0.stable >= end && unlistedVersion($0) == nil }
        return Array(Set(newer)).sorted(by: >)
    }
}
