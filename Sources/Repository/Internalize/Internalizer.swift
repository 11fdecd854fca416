import Foundation
import Nupkg
import Versioning

/// Brings packages from their sources into a target feed: resolves versions and the dependency closure,
/// skips what the target already has, downloads (verified), internalizes (``embedding``: the resources its
/// scripts download embedded or placed at a resources location, every one verified), pushes (idempotent), and
/// journals every step. Without ``embedding``, and always for licensed packages, packages are copied byte for
/// byte.
public struct Internalizer: Sendable {
    /// Source feeds by the names requests use.
    public var sources: [String: any PackageFeed]
    public var target: any PackageFeed
    /// Where downloads are kept (and resumed from).
    public var workDirectory: String
    public var journal: Journal?
    /// Packages transferred at once.
    public var jobs: Int
    public var includePrerelease: Bool
    public var pushTimeout: Int?
    /// Tries per package when a download arrives damaged or a transfer fails transiently after the HTTP
    /// client's own retries (each try starts from a fresh download). As many as the HTTP client's default
    /// tries: at 20 % faults about 4 % of downloads arrive damaged, and three tries left a package in a few
    /// hundred failing (one in ~70 runs of 200 packages); five leave one in millions.
    public var attempts: Int = 5
    /// One line per step, for the log (stderr).
    public var log: @Sendable (String) -> Void
    /// Called after each package settles (and once before the first), for a progress display.
    public var progress: @Sendable (InternalizeProgress) -> Void = { _ in }
    /// Internalize community packages (embed their resources); nil copies every package byte for byte.
    public var embedding: EmbedSettings?

    public init(sources: [String: any PackageFeed], target: any PackageFeed, workDirectory: String, journal: Journal?,
                jobs: Int = 4, includePrerelease: Bool = false, pushTimeout: Int? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.sources = sources
        self.target = target
        self.workDirectory = workDirectory
        self.journal = journal
        self.jobs = max(1, jobs)
        self.includePrerelease = includePrerelease
        self.pushTimeout = pushTimeout
        self.log = log
    }

    /// A package chosen for transfer.
    public struct Planned: Sendable {
        public var package: RemotePackage
        public var source: String
        public var reason: String
    }

    /// Resolves `requests` and their dependencies. Returns what to transfer and the items already settled
    /// (failures, dependencies the target satisfies).
    public func resolve(_ requests: [PackageRequest]) async -> (planned: [Planned], settled: [InternalizeItem]) {
        typealias Pending = (request: PackageRequest, reason: String, range: VersionRange?)
        var wave: [Pending] = requests.map { ($0, "requested", nil) }
        var chosen: [String: Planned] = [:]
        var order: [String] = []
        var settled: [InternalizeItem] = []
        var cache: [String: Result<[RemotePackage], FeedError>] = [:]
        while !wave.isEmpty {
            // Look up every id of this wave at once (bounded), then decide in order.
            let lookups = Set(wave.filter { chosen[$0.request.id.lowercased()] == nil && sources[$0.request.source] != nil }
                .map { $0.request.source + "|" + $0.request.id.lowercased() }).filter { cache[$0] == nil }
            for (key, result) in await lookUp(Array(lookups), requests: wave.map(\.request)) { cache[key] = result }
            var nextWave: [Pending] = []
            for (request, reason, range) in wave {
                let key = request.id.lowercased()
                if let existing = chosen[key] {
                    if let range, !range.contains(existing.package.version) {
                        log("warning: \(request.id) \(existing.package.version.normalized) is already chosen but \(reason) needs \(range.normalized)")
                    }
                    continue
                }
                guard let feed = sources[request.source] else {
                    settled.append(InternalizeItem(id: request.id, version: nil, source: request.source, reason: reason, status: .failed,
                                                   detail: "unknown source '\(request.source)'"))
                    continue
                }
                let versions: [RemotePackage]
                switch cache[request.source + "|" + key] {
                case let .success(found)?: versions = found
                case let .failure(error)?:
                    settled.append(InternalizeItem(id: request.id, version: nil, source: request.source, reason: reason, status: .failed,
                                                   detail: "\(error)"))
                    continue
                case nil: versions = []
                }
                guard let package = choose(from: versions, policy: request.version, dependencyRange: range) else {
                    let wanted = range.map { "a version in \($0.normalized)" } ?? request.version.description
                    settled.append(InternalizeItem(id: request.id, version: nil, source: request.source, reason: reason, status: .failed,
                                                   detail: "\(feed.name) has no \(wanted) (\(versions.count) versions listed)"))
                    continue
                }
                chosen[key] = Planned(package: package, source: request.source, reason: reason)
                order.append(key)
                guard !request.ignoreDependencies else { continue }
                var seen: Set<String> = []
                for dependency in package.dependencies where seen.insert(dependency.id.lowercased()).inserted {
                    // Feeds supply dependency ids; one that is not a NuGet id (`../../x/pwn`) is never looked up
                    // or turned into a file name.
                    guard PackageIdentity.isValidId(dependency.id) else {
                        settled.append(InternalizeItem(id: dependency.id, version: nil, source: request.source, reason: "dependency of \(package.id)",
                                                       status: .failed, detail: "\(feed.name) lists a dependency id that is not a valid NuGet id"))
                        continue
                    }
                    let dependencyKey = dependency.id.lowercased()
                    let wanted = chosen[dependencyKey] != nil || requests.contains { $0.id.lowercased() == dependencyKey }
                    if !wanted, let present = try? await target.versions(of: dependency.id).first(where: { dependency.range.contains($0.version) }) {
                        settled.append(InternalizeItem(id: present.id, version: present.version.normalized, source: target.name,
                                                       reason: "dependency of \(package.id)", status: .alreadyPresent,
                                                       detail: "the target's version satisfies \(dependency.range.isAll ? "any version" : dependency.range.normalized)"))
                        continue
                    }
                    nextWave.append((PackageRequest(id: dependency.id, source: request.source), "dependency of \(package.id)", dependency.range))
                }
            }
            wave = nextWave
        }
        return (order.compactMap { chosen[$0] }, settled)
    }

    /// Fetches the versions of each `source|id` key, `jobs` at a time.
    private func lookUp(_ keys: [String], requests: [PackageRequest]) async -> [String: Result<[RemotePackage], FeedError>] {
        var work: [(key: String, feed: any PackageFeed, id: String)] = []
        for key in keys {
            guard let separator = key.firstIndex(of: "|"), let feed = sources[String(key[..<separator])] else { continue }
            let sourceName = String(key[..<separator]), lowerId = String(key[key.index(after: separator)...])
            let id = requests.first { $0.source == sourceName && $0.id.lowercased() == lowerId }?.id ?? lowerId
            work.append((key, feed, id))
        }
        var found: [Int: Result<[RemotePackage], FeedError>] = [:]
        await withTaskGroup(of: IndexedVersions.self) { group in
            for (index, item) in work.enumerated() {
                if index >= jobs, let done = await group.next() { found[done.index] = done.result }
                let feed = item.feed, id = item.id
                group.addTask { IndexedVersions(index: index, result: await Self.versions(of: id, in: feed)) }
            }
            for await done in group { found[done.index] = done.result }
        }
        var results: [String: Result<[RemotePackage], FeedError>] = [:]
        for (index, item) in work.enumerated() { results[item.key] = found[index] }
        return results
    }

    private struct IndexedVersions: Sendable {
        let index: Int
        let result: Result<[RemotePackage], FeedError>
    }

    /// The versions of `id`; a transient failure that outlived the HTTP client's retries is asked once more
    /// before the package fails the run.
    private static func versions(of id: String, in feed: any PackageFeed) async -> Result<[RemotePackage], FeedError> {
        var attempt = 1
        while true {
            do throws(FeedError) {
                return .success(try await feed.versions(of: id))
            } catch {
                guard error.isTransient, attempt < 2 else { return .failure(error) }
                attempt += 1
            }
        }
    }

    func choose(from versions: [RemotePackage], policy: VersionPolicy, dependencyRange: VersionRange?) -> RemotePackage? {
        if let range = dependencyRange {
            // NuGet's rule for dependencies: the lowest listed version in range.
            let listed = versions.filter(\.isListed)
            guard let version = range.bestMatch(in: listed.map(\.version), includePrerelease: includePrerelease) else { return nil }
            return listed.first { $0.version == version }
        }
        return policy.select(from: versions, includePrerelease: includePrerelease)
    }

    /// Resolves and transfers; never throws: every problem becomes a failed item in the summary.
    public func run(_ requests: [PackageRequest]) async -> InternalizeSummary {
        let (planned, settled) = await resolve(requests)
        var results: [Int: InternalizeItem] = [:]
        var counts = InternalizeProgress(total: planned.count + settled.count)
        for item in settled { counts.count(item) }
        progress(counts)
        await withTaskGroup(of: IndexedItem.self) { group in
            func settle(_ done: IndexedItem) {
                results[done.index] = done.item
                counts.count(done.item)
                progress(counts)
            }
            for (index, item) in planned.enumerated() {
                if index >= jobs, let done = await group.next() { settle(done) }
                group.addTask { IndexedItem(index: index, item: await transfer(item)) }
            }
            for await done in group { settle(done) }
        }
        var items = (0..<planned.count).compactMap { results[$0] } + settled
        do throws(FeedError) {
            try await journal?.flush()
        } catch {
            // The transfers themselves are done; a rerun re-checks the target, so nothing is pushed twice.
            log("warning: the journal could not be saved: \(error)")
            items = items.map { var item = $0; if item.status != .failed { item.detail = (item.detail.map { $0 + "; " } ?? "") + "journal not saved" }; return item }
        }
        return InternalizeSummary(target: target.name, items: items)
    }

    private struct IndexedItem: Sendable {
        let index: Int
        let item: InternalizeItem
    }

    /// Moves one package: journal, target check, download, push. A damaged download (hash mismatch, a
    /// package failing vetting, a body cut short) and a transient failure that outlived the HTTP retries are
    /// tried again from a fresh download, up to ``attempts`` times in all: faults converge within one run.
    func transfer(_ planned: Planned) async -> InternalizeItem {
        let package = planned.package
        let identity = package.identity
        var item = InternalizeItem(id: package.id, version: package.version.normalized, source: planned.source, reason: planned.reason,
                                   status: .failed)
        guard let feed = sources[planned.source] else {
            item.detail = "unknown source '\(planned.source)'"
            return item
        }
        item.sourceHashPublished = package.sha512 != nil
        do throws(FeedError) {
            try package.checkUsableAsFileName(feed: feed.name)
            let previous = await journal?.entry(for: identity)
            if let previous, previous.state == .pushed || previous.state == .alreadyPresent {
                item.status = previous.state == .pushed ? .pushed : .alreadyPresent
                item.fromJournal = true
                item.sha512 = previous.sha512
                log("\(identity): done in an earlier run")
                return item
            }
            var attempt = 1
            while true {
                do throws(FeedError) {
                    try await transferOnce(planned, from: feed, previous: attempt == 1 ? previous : nil, item: &item)
                    return item
                } catch {
                    guard attempt < attempts, error.isTransient || error.isDamagedPackage else { throw error }
                    attempt += 1
                    log("\(identity): \(error); trying again with a fresh download (attempt \(attempt) of \(attempts))")
                }
            }
        } catch {
            item.status = .failed
            item.detail = "\(error)"
        }
        return item
    }

    /// One try at ``transfer(_:)``; fills in `item`.
    private func transferOnce(_ planned: Planned, from feed: any PackageFeed, previous: JournalEntry?,
                              item: inout InternalizeItem) async throws(FeedError) {
        if let embedding {
            if let reason = embedding.licensedReason(id: planned.package.id, source: planned.source) {
                // Never modified: copied byte for byte like any package of a `--copy` run.
                item.embedding = EmbeddingOutcome(mode: "licensed", resources: [], unresolved: [], needsInternet: false, originalSHA512: planned.package.sha512)
                log("\(planned.package.identity): \(reason)")
            } else {
                try await transferInternalized(planned, from: feed, previous: previous, item: &item)
                return
            }
        }
        let package = planned.package
        let identity = package.identity
        // One request for the target check (a v2 exact lookup that misses costs two).
        if let existing = try await target.versions(of: package.id).first(where: { $0.version == package.version }) {
            // The rule `push` follows: present only with the same bytes, else a conflict. Targets that publish no
            // hash (minchoc, folders) are read back; a source that publishes none is downloaded (and vetted).
            let ours: PackageHash
            if let published = package.sha512, let digest = Data(base64Encoded: published) {
                ours = PackageHash(digest: Array(digest))
            } else {
                ours = try await obtain(planned, from: feed, previous: previous, item: &item).hash
            }
            let theirs = try await target.readBackHash(of: existing, expected: ours)
            guard ours.matches(theirs) else {
                item.status = .differentContent
                item.sha512 = ours.base64
                item.detail = "the target already has different bytes (SHA-512 \(theirs), source \(ours.base64)); nothing was overwritten"
                return
            }
            item.status = .alreadyPresent
            item.sha512 = ours.base64
            try await journal?.record(identity, source: planned.source, state: .alreadyPresent, sha512: item.sha512, file: nil)
            log("\(identity): already on \(target.name)")
            return
        }
        let (file, hash) = try await obtain(planned, from: feed, previous: previous, item: &item)
        item.sha512 = hash.base64
        try await pushAbsent(planned, file: file, item: &item)
    }

    /// ``transferOnce(_:from:previous:item:)`` when internalizing: the package is downloaded and internalized
    /// first (its bytes are what the target must hold), then compared with the target and pushed. A target
    /// holding the original, not internalized, package is reported with how to replace it; never overwritten.
    private func transferInternalized(_ planned: Planned, from feed: any PackageFeed, previous: JournalEntry?,
                                      item: inout InternalizeItem) async throws(FeedError) {
        let package = planned.package
        let identity = package.identity
        let (original, originalHash) = try await obtain(planned, from: feed, previous: previous, item: &item)
        let (file, hash) = try await prepareForPush(planned, original: original, originalHash: originalHash, item: &item)
        item.sha512 = hash.base64
        if let existing = try await target.versions(of: package.id).first(where: { $0.version == package.version }) {
            let theirs = try await target.readBackHash(of: existing, expected: hash)
            if hash.matches(theirs) {
                item.status = .alreadyPresent
                try await journal?.record(identity, source: planned.source, state: .alreadyPresent, sha512: item.sha512, file: nil)
                log("\(identity): already on \(target.name)")
                return
            }
            item.status = .differentContent
            if file != original, originalHash.matches(theirs) {
                item.detail = "\(target.name) holds the original package, byte for byte, not internalized: installing it offline would "
                    + "download from the internet. Nothing was overwritten; to replace it, delete \(package.id) \(package.version.normalized) "
                    + "on the feed (nuget delete \(package.id) \(package.version.normalized) -Source <feed>, or the feed's web UI) and run again"
            } else {
                item.detail = "the target has different bytes (SHA-512 \(theirs)); nothing was overwritten"
            }
            return
        }
        try await pushAbsent(planned, file: file, item: &item)
    }

    /// Pushes a package the target did not have when just checked, and journals it. A refused push that finds
    /// the same bytes there is an earlier try of this push whose answer was lost, and counts as pushed.
    private func pushAbsent(_ planned: Planned, file: String, item: inout InternalizeItem) async throws(FeedError) {
        let identity = planned.package.identity
        log("\(identity): pushing to \(target.name)")
        let report = try await target.push(fileAt: file, timeout: pushTimeout, absentBefore: true)
        switch report.outcome {
        case .pushed, .alreadyPresent:
            item.status = .pushed
            try await journal?.record(identity, source: planned.source, state: .pushed, sha512: item.sha512, file: file)
        case let .differentContent(feedHash):
            item.status = .differentContent
            item.detail = "the target has different bytes (SHA-512 \(feedHash)); nothing was overwritten"
        }
    }

    /// The verified package file in the work folder and its SHA-512: an earlier run's verified download when
    /// the journal has one, else a fresh download (hash-checked when the feed publishes one, always vetted).
    private func obtain(_ planned: Planned, from feed: any PackageFeed, previous: JournalEntry?,
                        item: inout InternalizeItem) async throws(FeedError) -> (file: String, hash: PackageHash) {
        let identity = planned.package.identity
        let file = workDirectory + "/" + identity.fileName
        if let previous, previous.state == .downloaded, previous.file == file, FileManager.default.fileExists(atPath: file),
           let onDisk = try? await PackageHash.sha512AndSizeInBackground(ofFileAt: file).hash, let recorded = previous.sha512, onDisk.matches(recorded) {
            log("\(identity): reusing the verified download from an earlier run")
            return (file, onDisk)
        }
        log("\(identity): downloading from \(feed.name)")
        let downloaded = try await feed.download(planned.package, to: file)
        item.downloaded = true
        try await journal?.record(identity, source: planned.source, state: .downloaded, sha512: downloaded.sha512.base64, file: file)
        return (file, downloaded.sha512)
    }
}
