import FileSupport

/// One `run` of a plan at a time: an exclusive lock on `<journal>.lock` (``FileLock``), which the kernel
/// releases when the run ends however it ends (`kill -9`, a lost terminal, a reboot), so it never needs
/// clearing by hand. A second run beside a live one is refused at once instead of starting a second choco.
///
/// Why not a lock held by choco too: the lock's descriptor is close-on-exec, so an orphaned choco does not
/// keep it; that case is covered by the choco's process identity in the journal (``ProcessIdentity``),
/// which the next run waits on (`PlanRunner.prepare`).
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
