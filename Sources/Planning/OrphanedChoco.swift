import Foundation

/// Finds the processes of an interrupted step that still run on this machine: choco and whatever it started
/// (an MSI installer, a PowerShell host), all of which inherit the step's marker variable. `run` gives every
/// local choco `CCM_RUN_STEP_MARKER=<random marker>` and journals the marker as the step starts, so the run
/// after a `kill -9`, a lost terminal or a crash can wait for them instead of starting a second choco beside
/// an orphaned one. (A lock held by choco would not do: the tool's descriptors are close-on-exec, and an
/// installer that choco started may outlive choco itself.)
///
/// Reads `/proc/<pid>/environ` (Linux; processes of other users are unreadable and skipped). Where there is
/// no `/proc` nothing is found and the installed version alone decides.
public enum OrphanedChoco {
    /// The variable that carries a step's marker into choco's environment.
    public static let variable = "CCM_RUN_STEP_MARKER"

    /// A fresh marker for one attempt of one step.
    public static func newMarker(step: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return "step\(step)-" + String(generator.next() as UInt64, radix: 16)
    }

    /// Process ids of running (not zombie) processes whose environment holds `marker`.
    public static func running(marker: String) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let needle = Array("\(variable)=\(marker)".utf8)
        var found: [Int32] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(),
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let holds = environment.split(separator: 0, omittingEmptySubsequences: true).contains { Array($0) == needle }
            if holds, !isZombie(pid) { found.append(pid) }
        }
        return found.sorted()
    }

    /// A zombie has ended; it only waits for a parent (maybe none, after a `kill -9`) to collect its status.
    private static func isZombie(_ pid: Int32) -> Bool {
        // "pid (comm) state …": comm may hold spaces and parentheses, so the state follows the last ')'.
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else { return true }
        return text[text.index(after: close)...].split(separator: " ").first == "Z"
    }
}
