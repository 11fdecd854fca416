import Diagnostics
import FileSupport
import Foundation
import Hashing
import JSONOutput

/// What `run` has done so far, so a second `run` resumes at the failed step and never repeats a finished one.
/// Written atomically (temporary file + rename) before and after every step. Holds masked commands only,
/// never a secret.
public struct RunJournal: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Recorded before choco starts: a run killed during the step leaves this behind, and the next run
        /// reads the installed version (after any orphaned choco ended) before deciding.
        case started
        /// choco ran but its result never came back (connection lost): the next run reads the installed
        /// version on the host before deciding.
        case unknown
        /// Ran and the installed version was verified.
        case succeeded
        /// Ran on a host `run` cannot reach; the admin confirmed it with `--confirm`.
        case confirmed
        case failed
    }

    public struct Entry: Sendable, Hashable, Codable {
        public var step: Int
        public var package: String
        public var version: String
        public var status: Status
        public var exitCode: Int32?
        /// The command as run, secrets masked.
        public var command: String?
        public var message: String?
        public var at: String
        /// The marker a `started` step gave its choco's environment (``OrphanedChoco``), so the next run can
        /// wait for an orphaned choco and whatever it started.
        public var marker: String?

        public init(step: Int, package: String, version: String, status: Status, exitCode: Int32? = nil, command: String? = nil,
                    message: String? = nil, at: String = RunJournal.timestamp(), marker: String? = nil) {
            self.step = step
            self.package = package
            self.version = version
            self.status = status
            self.exitCode = exitCode
            self.command = command
            self.message = message
            self.at = at
            self.marker = marker
        }
    }

    /// The digest of the plan file this journal belongs to; a journal never applies to another plan.
    public var planDigest: String
    public var entries: [Entry] = []

    public init(planDigest: String) { self.planDigest = planDigest }

    /// The latest entry for `step`, if any.
    public func latest(_ step: Int) -> Entry? { entries.last { $0.step == step } }

    /// True when the step finished (here or confirmed elsewhere).
    public func isDone(_ step: Int) -> Bool {
        guard let entry = latest(step) else { return false }
        return entry.status == .succeeded || entry.status == .confirmed
    }

    /// True when the step may have run but was not verified (killed during the step, connection lost): its
    /// outcome must be read from the host before the step is run again or counted as done.
    public func isUnverified(_ step: Int) -> Bool {
        guard let entry = latest(step) else { return false }
        return entry.status == .started || entry.status == .unknown
    }

    public static func digest(of plan: UpgradePlan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(plan)) ?? Data()
        return "sha256:" + Digester.digest(.sha256, of: data).hex
    }

    /// Loads the journal at `path`, or starts a new one; refuses a journal of a different plan.
    public static func load(path: String, plan: UpgradePlan) throws(PlanningError) -> RunJournal {
        let digest = digest(of: plan)
        guard let data = FileManager.default.contents(atPath: path) else { return RunJournal(planDigest: digest) }
        let journal: RunJournal
        do { journal = try JSONDecoder().decode(RunJournal.self, from: data) } catch {
            throw .io(path: path, reason: "the journal is not readable (\(error)); move it away to start over")
        }
        guard journal.planDigest == digest else {
            throw .io(path: path, reason: "the journal belongs to a different plan (the plan file changed since it was written); make a new plan or move the journal away")
        }
        return journal
    }

    public func save(path: String) throws(PlanningError) {
        do {
            // Commands are stored masked already; choco's messages may quote a secret it echoed.
            let text = Redaction.redactKnown(String(decoding: try JSONOutput.encodeBytes(self), as: UTF8.self))
            try AtomicFile.write(Array(text.utf8), to: path)
        } catch let error as AtomicFileError {
            throw .io(path: path, reason: "cannot write the journal: \(error.reason)")
        } catch {
            throw .io(path: path, reason: "cannot encode the journal: \(error)")
        }
    }

    public static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
