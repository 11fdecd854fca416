import Compatibility
import Foundation
import Hashing
import Versioning

/// Digests that let `run` notice a plan has gone stale.
enum Fingerprint {
    /// SHA-256 over the inventory's hosts and groups in canonical (sorted-key) JSON. The feed location and the
    /// parameters file name are left out: they can be given on the command line instead of in the file.
    static func of(_ inventory: Inventory) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The same JSON as format-1 plans hashed (only these two keys), so a fingerprint means what it meant.
        struct Snapshot: Encodable { var hosts: [Inventory.Host]; var groups: [Inventory.Group] }
        let data = (try? encoder.encode(Snapshot(hosts: inventory.hosts, groups: inventory.groups))) ?? Data()
        return "sha256:" + Digester.digest(.sha256, of: data).hex
    }

    /// SHA-256 over the sorted `id version` lines of the feed for the packages the plan touches.
    static func ofFeed(_ feed: [String: [NuGetVersion]], ids: Set<String>) -> String {
        let lines = ids.sorted().flatMap { id in (feed[id] ?? []).map(\.normalized).sorted().map { "\(id) \($0)" } }
        return "sha256:" + Digester.digest(.sha256, of: Array(lines.joined(separator: "\n").utf8)).hex
    }
}
