import FileSupport

/// One `run` of a plan at a time: an exclusive lock on `<journal>.lock` (``FileLock``), which the kernel
/// releases when the run ends however it ends (`kill -9`, a lost terminal, a reboot), so it never needs
/// clearing by hand. A second run beside a live one is refused at once instead of starting a second choco.
///
/// An orphaned choco (its `run` killed) does not hold this lock: the descriptor is close-on-exec. That case
/// is covered by the step's marker in the journal (``OrphanedChoco``), which the next run waits on.
enum RunLock {
    static func acquire(journalPath: String) throws(PlanningError) -> FileLock {
        let path = journalPath + ".lock"
        let result: (lock: FileLock?, holder: String?)
        do { result = try FileLock.tryLock(path: path) } catch {
            throw .io(path: path, reason: "cannot take the run lock: \(error.reason)")
        }
        guard let lock = result.lock else {
            let holder = result.holder.flatMap { $0.isEmpty ? nil : " (process \($0))" } ?? ""
            throw .cannotStart(problems: ["another `ccm-upgrade run` of this plan is running\(holder); wait for it to end (it holds \(path))"])
        }
        return lock
    }
}
