import Compatibility
import Diagnostics
import Versioning

/// Plans the roll-out of a renewed Chocolatey licence: `choco upgrade` of the licence package on every CCM
/// host and client group, then the restarts the docs ask for (seed FAQ; ccm.md §7.2: after updating the
/// licence file restart the agents, the service and the website) — the CCM service, the website, and the
/// agents on the CCM hosts and the client groups.
///
/// Pure: the licence package must already be on the internal feed (`ccm-upgrade license push`); the plan
/// is an ordinary ``UpgradePlan`` (phases `license` then `restart`), so `run`, `plan`'s renderings and
/// `deployment emit` take it like any other.
public enum LicenseRenewalPlanner {
    /// Builds the plan.
    ///
    /// - Parameters:
    ///   - package: the licence package (id and version) as pushed to the internal feed.
    ///   - feed: the internal feed's listed versions, by id (the licence package's must be among them).
    ///   - inventory: the estate: its hosts (with roles and packages) and client groups.
    public static func plan(
        inventory: Inventory, package: PinnedPackage, feed: [String: [NuGetVersion]], source: String, generator: String
    ) throws(PlanningError) -> UpgradePlan {
        let id = package.id.lowercased()
        let listed = Planner.lowercasedKeys(feed)
        guard listed[id]?.contains(package.version) == true else {
            throw .impossible(reasons: ["the internal feed \(source) does not have \(package): push it first with 'ccm-upgrade license push LICENSE.xml --source \(source)'"])
        }
        let estate = inventory.estate
        guard let ccm = estate.web ?? estate.service ?? estate.database else {
            throw .invalidInventory(InventoryError(diagnostics: [Diagnostic(.error, rule: "inventory.server-version", at: nil,
                "the inventory gives no CCM server version (chocolatey-management-* packages on a host): the website's restart depends on it")]))
        }
        let agentID = CCMCatalogue.standard.agentID
        let installNote = "installs the renewed licence into $env:ChocolateyInstall\\license (the restarts that follow make the services read it)"
        var steps: [PlanStep] = []
        func installed(_ packages: [String: NuGetVersion]) -> NuGetVersion? {
            packages.first { $0.key.lowercased() == id }?.value
        }
        for host in inventory.hosts where installed(host.packages) != package.version {
            steps.append(PlanStep(phase: .license, host: host.name, package: package.id, version: package.version,
                                  fromVersion: installed(host.packages), notes: [installNote]))
        }
        for group in inventory.groups where installed(group.packages) != package.version {
            steps.append(PlanStep(phase: .license, group: group.name, package: package.id, version: package.version,
                                  fromVersion: installed(group.packages), notes: [installNote]))
        }
        let renewed = Set(steps.compactMap(\.host)).union(steps.compactMap(\.group))
        func restart(_ action: RestartAction, host: String? = nil, group: String? = nil, note: String) -> PlanStep {
            PlanStep(phase: .restart, host: host, group: group, package: package.id, version: package.version, notes: [note], restart: action)
        }
        for host in inventory.hosts where host.roles.contains(.service) && renewed.contains(host.name) {
            steps.append(restart(.service, host: host.name, note: "the CCM service reads the licence when it starts"))
        }
        for host in inventory.hosts where host.roles.contains(.web) && renewed.contains(host.name) {
            steps.append(restart(.website, host: host.name, note: "the website does not pick up a new licence file until its process restarts"))
        }
        for host in inventory.hosts where renewed.contains(host.name) && (host.roles.contains(.service) || host.packages.keys.contains { $0.lowercased() == agentID }) {
            steps.append(restart(.agent, host: host.name, note: "agents read the licence when they start, including the agent on the CCM host"))
        }
        for group in inventory.groups where renewed.contains(group.name) {
            steps.append(restart(.agent, group: group.name, note: "agents read the licence when they start"))
        }
        for (index, _) in steps.enumerated() { steps[index].number = index + 1 }
        return UpgradePlan(
            generator: generator, target: ccm, from: ccm, source: source, estateFingerprint: Fingerprint.of(inventory),
            feedFingerprint: Fingerprint.ofFeed(listed, ids: [id]), feedFingerprintPackages: [id], preflight: [], steps: steps)
    }

    /// Problems of a `license` or `restart` step in a plan file (``PlanValidator``).
    static func problems(in step: PlanStep, label: String) -> [String] {
        var problems: [String] = []
        if CCMCatalogue.standard.serverPackageIDs.contains(step.package.lowercased()) {
            problems.append("\(label): server packages belong in the database/service/web phases")
        }
        if (step.host == nil) == (step.group == nil) { problems.append("\(label): the step needs either the host or the client group it runs on") }
        switch step.phase {
        case .license:
            if step.restart != nil { problems.append("\(label): a license step installs the licence package; restarts are restart steps") }
        case .restart:
            guard let action = step.restart else {
                problems.append("\(label): a restart step needs 'restart': one of \(RestartAction.allCases.map(\.rawValue).joined(separator: ", "))")
                break
            }
            if action != .agent, step.group != nil { problems.append("\(label): the \(action.rawValue) restart runs on the CCM host, not on a client group") }
        default:
            break
        }
        return problems
    }
}
