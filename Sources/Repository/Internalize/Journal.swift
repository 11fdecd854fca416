import Diagnostics
import FileSupport
import Foundation
import Nupkg
import Versioning
import JSONOutput

/// What the journal remembers about one package.
public struct JournalEntry: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable {
        /// Downloaded and verified into `file`; not yet on the target.
        case downloaded
        /// Pushed to the target by this tool.
        case pushed
        /// The target already had identical bytes.
        case alreadyPresent
    }

    public var id: String
    public var version: String
    public var source: String
    public var state: State
    public var sha512: String?
    public var file: String?
    public var updated: Date
}

/// The internalize journal: a JSON file rewritten atomically (temp file, fsync, rename) after every step,
/// so a run that is killed resumes without redoing finished work. It holds ids, versions, hashes, source
/// names and file paths, never credentials.
public actor Journal {
    struct Document: Codable {
        var format = 1
        var target: String
        var entries: [String: JournalEntry] = [:]
    }

    public let path: String
    private var document: Document

    /// Opens (or starts) the journal at `path` for pushes to `target`. A journal written for another target
    /// is refused rather than mixed.
    public init(path: String, target: String) throws(FeedError) {
        self.path = path
        if FileManager.default.fileExists(atPath: path) {
            let loaded: Document
            do {
                loaded = try JSONOutput.decoder.decode(Document.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw .fileError(path: path, reason: "not a readable internalize journal (\(error)); move it away to start over")
            }
            guard loaded.target == target else {
                throw .fileError(path: path, reason: "this journal records pushes to '\(loaded.target)', not '\(target)'; use another --journal")
            }
            document = loaded
        } else {
            document = Document(target: target)
        }
    }

    static func key(_ identity: PackageIdentity) -> String { "\(identity.id.lowercased())@\(identity.version.normalized.lowercased())" }

    public func entry(for identity: PackageIdentity) -> JournalEntry? { document.entries[Self.key(identity)] }

    public var entries: [JournalEntry] { document.entries.values.sorted { ($0.id, $0.version) < ($1.id, $1.version) } }

    private var dirty = false
    private var writing = false
    private var writeError: FeedError?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Records `state` for `identity`. The file is rewritten atomically in the background; records that
    /// arrive while a write is running are coalesced into the next one (a journal a moment behind is safe:
    /// the target is checked before every push). Throws the error of an earlier failed write.
    public func record(_ identity: PackageIdentity, source: String, state: JournalEntry.State, sha512: String?, file: String?) throws(FeedError) {
        if let writeError { throw writeError }
        document.entries[Self.key(identity)] = JournalEntry(id: identity.id, version: identity.version.normalized, source: source,
                                                            state: state, sha512: sha512, file: file, updated: Date())
        dirty = true
        if !writing {
            writing = true
            Task { await self.drain() }
        }
    }

    /// Waits until everything recorded is on disk; throws if a write failed.
    public func flush() async throws(FeedError) {
        if writing { await withCheckedContinuation { waiters.append($0) } }
        if let writeError { throw writeError }
    }

    private func drain() async {
        while dirty, writeError == nil {
            dirty = false
            let snapshot = document
            do throws(FeedError) {
                try await Self.save(snapshot, to: path)
            } catch {
                writeError = error
            }
        }
        writing = false
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }

    /// Encodes and writes `document` atomically: temp file, fsync, rename.
    private static func save(_ document: Document, to path: String) async throws(FeedError) {
        let data: [UInt8]
        do { data = try JSONOutput.encodeBytes(document) } catch {
            throw .fileError(path: path, reason: "cannot encode the journal: \(error)")
        }
        // Stored files get what stdout gets: known secrets (a password inside a source URL) masked.
        let text = Redaction.redactKnown(String(decoding: data, as: UTF8.self))
        do {
            try AtomicFile.write(Array(text.utf8), to: path, permissions: 0o600)
        } catch {
            throw .fileError(path: path, reason: "cannot save the journal: \(error.reason)")
        }
    }
}


