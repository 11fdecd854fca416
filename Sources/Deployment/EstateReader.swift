import Compatibility
import Foundation
import RemoteHosts
import Versioning

/// The estate read instead of typed (`ccm-upgrade inventory`, `--live`): each CCM server host's installed packages
/// over SSH (`choco list`, ``ChocoList``), and the client groups from CCM's API, into the one inventory format.
public struct EstateReader: Sendable {
    /// The hosts to read, with how to reach them.
    public var hosts: [(name: String, address: HostAddress)]
    /// An ssh config instead of the user's (`ssh -F`).
    public var sshConfig: String?
    /// A computer whose last check-in is older than this is listed as not seen.
    public var staleAfterDays: Int
    public var catalogue: CCMCatalogue

    public init(hosts: [(name: String, address: HostAddress)], sshConfig: String? = nil, staleAfterDays: Int = 30, catalogue: CCMCatalogue = .standard) {
        self.hosts = hosts
        self.sshConfig = sshConfig
        self.staleAfterDays = staleAfterDays
        self.catalogue = catalogue
    }

    /// What was read: the inventory, and the per-group summaries behind its groups.
    public struct Result: Sendable {
        public var inventory: Inventory
        public var summaries: [CCMEstate.Summary]
    }

    /// Reads every host (one at a time, in order) and, given a client, CCM's groups. `base` supplies what is not
    /// read (source, parameters, platform fields, each host's recorded `https` binding); its hosts' packages and
    /// roles, and its groups, are replaced.
    /// - Throws: `RemoteHostError` naming the host that could not be read, `DeploymentError` from CCM.
    public func read(base: Inventory = Inventory(), ccm: CCMClient?, now: Date = Date()) async throws -> Result {
        var inventory = base
        inventory.hosts = []
        let known = Set(catalogue.packages.map(\.id))
        for (name, address) in hosts {
            let host = address.commandHost(name: name, configFile: sshConfig)
            let command = try RemoteCommand(program: "choco", arguments: ChocoList.arguments)
            let result = try await host.run(command) { _ in }
            let list = ChocoList(parsing: result.standardOutput)
            guard result.exitCode == 0 || result.exitCode == 2, !list.packages.isEmpty else {
                // exit 2: "no results" with enhanced exit codes (remote-hosts.md §3).
                let said = (list.ignoredLines.first ?? result.output.split(separator: "\n").last.map(String.init)) ?? "nothing"
                throw RemoteHostError.commandNotStarted(host: name, detail: "choco list found no packages (exit code \(result.exitCode)): \(said)")
            }
            let packages = list.packages.filter { known.contains($0.key) }
            let roles = Inventory.Role.allCases.filter { packages[catalogue.id(of: $0)] != nil }
            // What SSH cannot read stays as the admin recorded it: the website's certificate binding (`https:`),
            // on a host that still serves the website.
            let recorded = base.hosts.first { $0.name.lowercased() == name.lowercased() }
            let https = roles.contains(.web) ? recorded?.https : nil
            inventory.hosts.append(Inventory.Host(name: name, roles: roles, packages: packages, https: https, address: address))
        }
        Self.keepBinding(from: base, in: &inventory)
        var summaries: [CCMEstate.Summary] = []
        if let ccm {
            let estate = try await ccm.estate(packageIDs: catalogue.clientIDs)
            summaries = estate.summaries(packageIDs: catalogue.clientIDs, staleAfterDays: staleAfterDays, now: now)
            // A group's versions in the inventory are its lowest: the plan upgrades from, and the check judges,
            // the oldest computer. Groups whose computers report nothing are left out (the summary says so).
            inventory.groups = summaries.filter { !$0.lowest.isEmpty }.map { Inventory.Group(name: $0.group, packages: $0.lowest) }
        }
        return Result(inventory: inventory, summaries: summaries)
    }
}

extension EstateReader {
    /// A binding recorded on a host that no longer has the web role, or at the top level, follows the website:
    /// to the first web host that has none (the role moved), else to the top level (no host serves it now).
    static func keepBinding(from base: Inventory, in inventory: inout Inventory) {
        let webHosts = inventory.hosts.indices.filter { inventory.hosts[$0].roles.contains(.web) }
        let placed = Set(webHosts.compactMap { inventory.hosts[$0].https })
        let orphaned = (base.hosts.compactMap(\.https) + [base.https].compactMap { $0 }).first { !placed.contains($0) }
        if let first = webHosts.first {
            inventory.https = nil
            if let orphaned, placed.isEmpty { inventory.hosts[first].https = orphaned }
        } else {
            inventory.https = orphaned ?? base.https
        }
    }
}

extension CCMEstate.Summary {
    /// The summary as comment lines for the inventory file and as text for the admin.
    public var lines: [String] {
        var lines = ["\(group): \(computers) computer\(computers == 1 ? "" : "s")"]
        for id in Set(lowest.keys).union(highest.keys).sorted() {
            let low = lowest[id]?.normalized ?? "?"
            let high = highest[id]?.normalized ?? "?"
            lines.append("  \(id): \(low == high ? low : "\(low) lowest, \(high) highest")")
        }
        if !reportingNothing.isEmpty { lines.append("  reporting none of the client packages: \(reportingNothing.joined(separator: ", "))") }
        if !notSeen.isEmpty { lines.append("  not seen recently: \(notSeen.joined(separator: ", "))") }
        return lines
    }
}
