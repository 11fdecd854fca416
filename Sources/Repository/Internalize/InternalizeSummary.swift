import Diagnostics
import Foundation
import Internalization
import JSONOutput

/// The outcome for one package of an internalize run.
public struct InternalizeItem: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Downloaded from its source and pushed to the target.
        case pushed
        /// The target already had it (same bytes, or present before the run).
        case alreadyPresent
        /// The target has the same id and version with different bytes: nothing was overwritten.
        case differentContent
        /// Could not be resolved, downloaded or pushed; `detail` says why.
        case failed
    }

    public var id: String
    /// Normalized version, nil when none could be chosen.
    public var version: String?
    public var source: String
    /// `requested`, or `dependency of <id>`.
    public var reason: String
    public var status: Status
    /// True when this run downloaded the package (false when it reused a journaled download or skipped it).
    public var downloaded: Bool
    /// True when an earlier, interrupted run had already finished this package (from the journal).
    public var fromJournal: Bool
    public var sha512: String?
    /// False when the source publishes no SHA-512 for the package (minchoc, folders): its bytes were checked
    /// only by vetting (every CRC-32, sizes, entry names, the nuspec's id and version). Nil when not transferred.
    public var sourceHashPublished: Bool?
    public var detail: String?
    /// What internalizing did (nil when packages are copied byte for byte with `--copy`): embedded resources
    /// with their URLs and checksums, or why the package was copied unchanged.
    public var embedding: EmbeddingOutcome?

    public init(id: String, version: String?, source: String, reason: String, status: Status, downloaded: Bool = false,
                fromJournal: Bool = false, sha512: String? = nil, detail: String? = nil) {
        self.id = id
        self.version = version
        self.source = source
        self.reason = reason
        self.status = status
        self.downloaded = downloaded
        self.fromJournal = fromJournal
        self.sha512 = sha512
        self.detail = detail
    }
}

/// The summary of an internalize run: per-package outcomes and counts, as text or JSON.
public struct InternalizeSummary: Sendable, Codable {
    public var target: String
    public var items: [InternalizeItem]

    public var downloadedCount: Int { items.filter(\.downloaded).count }
    public func count(_ status: InternalizeItem.Status) -> Int { items.filter { $0.status == status }.count }
    /// True when any package failed or conflicts with the target.
    public var hasProblems: Bool { items.contains { $0.status == .failed || $0.status == .differentContent } }

    struct Counts: Codable {
        var downloaded: Int, pushed: Int, alreadyPresent: Int, differentContent: Int, failed: Int, noPublisherHash: Int
        /// Packages whose resources were embedded or placed, and packages pushed that still need the internet.
        var internalized: Int, needInternet: Int
    }

    /// Packages this run published whose source gave no SHA-512 to check the download against.
    public var withoutPublisherHash: [InternalizeItem] {
        items.filter { $0.sourceHashPublished == false && $0.status == .pushed && !$0.fromJournal }
    }

    enum CodingKeys: String, CodingKey { case target, counts, items }

    public init(target: String, items: [InternalizeItem]) {
        self.target = target
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decode(String.self, forKey: .target)
        items = try container.decode([InternalizeItem].self, forKey: .items)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(Counts(downloaded: downloadedCount, pushed: count(.pushed), alreadyPresent: count(.alreadyPresent),
                                    differentContent: count(.differentContent), failed: count(.failed),
                                    noPublisherHash: withoutPublisherHash.count,
                                    internalized: items.filter { ["embedded", "location"].contains($0.embedding?.mode ?? "") && $0.status != .failed }.count,
                                    needInternet: needingInternet.count), forKey: .counts)
        try container.encode(items, forKey: .items)
    }

    /// Pretty JSON (the `--format json` output).
    /// Known secrets (a password inside a source URL, an API key a server echoed) are masked.
    public var json: String {
        Redaction.redactKnown((try? JSONOutput.encode(self)) ?? "{}")
    }

    /// The indented lines under a package that say what internalizing did.
    static func embeddingLines(_ outcome: EmbeddingOutcome?) -> [String] {
        guard let outcome else { return [] }
        var lines: [String] = []
        switch outcome.mode {
        case "licensed": lines.append("    licensed: copied byte for byte, never internalized (licensed#155)")
        case "nothingToEmbed": lines.append("    nothing to internalize: its scripts download nothing")
        case "copiedUnresolved": lines.append("    copied as it is, as asked: INSTALLING IT STILL NEEDS THE INTERNET")
        default: break
        }
        for resource in outcome.resources {
            lines.append("    \(resource.url) -> \(resource.replacement) (\(resource.checksumType.rawValue) \(resource.checksum)"
                + (resource.checksumSource == "computed" ? ", computed: the script had none)" : ")"))
        }
        for unresolved in outcome.unresolved { lines.append("    unresolved: \(unresolved)") }
        return lines
    }

    /// Packages pushed whose install still downloads from the internet (copied unresolved, as the user asked).
    public var needingInternet: [InternalizeItem] {
        items.filter { $0.embedding?.needsInternet == true && ($0.status == .pushed || $0.status == .alreadyPresent) }
    }

    /// Human-readable text: one line per package, then the counts.
    public var text: String {
        var lines: [String] = []
        for item in items {
            let status: String
            switch item.status {
            case .pushed: status = "pushed"
            case .alreadyPresent: status = "present"
            case .differentContent: status = "CONFLICT"
            case .failed: status = "FAILED"
            }
            var line = "\(status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.id) \(item.version ?? "-")  from \(item.source)"
            if item.reason != "requested" { line += " (\(item.reason))" }
            if item.fromJournal { line += " [earlier run]" }
            if let detail = item.detail { line += ": \(detail)" }
            lines.append(line)
            lines += Self.embeddingLines(item.embedding)
        }
        let unhashed = withoutPublisherHash
        if !unhashed.isEmpty {
            lines.append("no publisher hash for \(unhashed.count) pushed (checked by CRC-32, sizes and nuspec only): "
                + unhashed.map { "\($0.id) \($0.version ?? "-")" }.joined(separator: ", "))
        }
        let online = needingInternet
        if !online.isEmpty {
            lines.append("still need the internet at install (copied unresolved): " + online.map { "\($0.id) \($0.version ?? "-")" }.joined(separator: ", "))
        }
        lines.append("target \(target): \(downloadedCount) downloaded, \(count(.pushed)) pushed, \(count(.alreadyPresent)) already present, "
            + "\(count(.differentContent)) conflicting, \(count(.failed)) failed")
        return lines.joined(separator: "\n")
    }
}

/// How far an internalize run has got, for a progress display.
public struct InternalizeProgress: Sendable, Hashable {
    /// Packages in the run (resolved, plus those that failed to resolve).
    public var total: Int
    public var finished = 0
    public var pushed = 0
    public var alreadyPresent = 0
    /// Failed or conflicting (different content on the target).
    public var problems = 0

    public init(total: Int) { self.total = total }

    mutating func count(_ item: InternalizeItem) {
        finished += 1
        switch item.status {
        case .pushed: pushed += 1
        case .alreadyPresent: alreadyPresent += 1
        case .failed, .differentContent: problems += 1
        }
    }
}
