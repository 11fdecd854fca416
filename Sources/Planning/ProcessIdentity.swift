import Foundation

/// A local process, identified so that a recycled process id is not mistaken for it: the id plus the
/// kernel's start time of the process (`/proc/<pid>/stat` field 22 on Linux). Stored in the run journal for
/// the choco of a `started` step, so that the run after a `kill -9` or a lost terminal waits for an orphaned
/// choco instead of starting a second one beside it.
public struct ProcessIdentity: Sendable, Hashable, Codable {
    public var pid: Int32
    /// Clock ticks after boot when the process started; nil where `/proc` is not available.
    public var startTicks: UInt64?

    public init(pid: Int32, startTicks: UInt64?) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// The identity of the running process `pid`, or nil when there is none.
    public static func of(pid: Int32) -> ProcessIdentity? {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return ProcessIdentity(pid: pid, startTicks: startTicks(of: pid))
    }

    /// True while this very process runs (a zombie counts as ended: it does nothing any more).
    public var isRunning: Bool {
        guard let now = Self.of(pid: pid) else { return false }
        if let startTicks, let current = now.startTicks, startTicks != current { return false }  // the id was reused
        return Self.state(of: pid) != "Z"
    }

    /// `/proc/<pid>/stat`: "pid (comm) state ppid …"; comm may hold spaces and parentheses, so fields are
    /// counted after the last ')'.
    private static func fieldsAfterName(of pid: Int32) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    private static func startTicks(of pid: Int32) -> UInt64? {
        // Field 3 (state) is the first after the name; field 22 (starttime) is the 20th.
        guard let fields = fieldsAfterName(of: pid), fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    private static func state(of pid: Int32) -> String? {
        fieldsAfterName(of: pid)?.first.map(String.init)
    }
}
