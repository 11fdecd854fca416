import Foundation
import Versioning

/// The client estate as CCM knows it: groups, their computers and each computer's versions of the client
/// packages (read by `CCMClient.estate(packageIDs:)`), and the per-group summary `ccm-upgrade inventory` writes.
public struct CCMEstate: Sendable, Hashable {
    public struct Computer: Sendable, Hashable {
        public var id: Int
        public var name: String
        /// When the agent last checked in; nil when CCM does not say.
        public var lastCheckIn: Date?
        /// Installed package id (lower case) → version.
        public var packages: [String: NuGetVersion]

        public init(id: Int, name: String, lastCheckIn: Date?, packages: [String: NuGetVersion] = [:]) {
            self.id = id
            self.name = name
            self.lastCheckIn = lastCheckIn
            self.packages = packages
        }
    }

    public struct Group: Sendable, Hashable {
        public var id: Int
        public var name: String
        public var computers: [Computer]

        public init(id: Int, name: String, computers: [Computer]) {
            self.id = id
            self.name = name
            self.computers = computers
        }
    }

    /// What a group's computers have, for the inventory and the admin.
    public struct Summary: Sendable, Hashable {
        public var group: String
        public var computers: Int
        /// Per package: the lowest and highest version among the computers that report it.
        public var lowest: [String: NuGetVersion]
        public var highest: [String: NuGetVersion]
        /// Computers that report none of the packages (agent never registered its software, or nothing installed).
        public var reportingNothing: [String]
        /// Computers whose last check-in is older than the limit, or unknown.
        public var notSeen: [String]

        /// True when some package differs between the group's computers.
        public var isMixed: Bool { lowest != highest }
    }

    public var groups: [Group]

    public init(groups: [Group]) { self.groups = groups }

    /// The summary of each group: `packageIDs` counted, computers not seen for `staleAfterDays` days before `now`.
    public func summaries(packageIDs: [String], staleAfterDays: Int, now: Date = Date()) -> [Summary] {
        let limit = now.addingTimeInterval(-Double(staleAfterDays) * 86_400)
        return groups.map { group in
            var lowest: [String: NuGetVersion] = [:]
            var highest: [String: NuGetVersion] = [:]
            var nothing: [String] = []
            var stale: [String] = []
            for computer in group.computers {
                let reported = computer.packages.filter { packageIDs.contains($0.key) }
                if reported.isEmpty { nothing.append(computer.name) }
                for (id, version) in reported {
                    if lowest[id].map({ version < $0 }) ?? true { lowest[id] = version }
                    if highest[id].map({ version > $0 }) ?? true { highest[id] = version }
                }
                if computer.lastCheckIn.map({ $0 < limit }) ?? true { stale.append(computer.name) }
            }
            return Summary(group: group.name, computers: group.computers.count, lowest: lowest, highest: highest,
                           reportingNothing: nothing.sorted(), notSeen: stale.sorted())
        }
    }

    /// CCM's dates: ISO 8601 with or without fractional seconds and zone (ABP serializes UTC, **inferred**).
    static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
        // No zone: UTC.
        let trimmed = text.split(separator: ".").first.map(String.init) ?? text
        return ISO8601DateFormatter().date(from: trimmed + "Z")
    }
}
