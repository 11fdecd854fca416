import Foundation

extension FileIO {
    /// Atomically replaces `target` with `source` (`rename`): readers see the old or the new file, never a mix.
    public static func rename(_ source: String, to target: String) throws(FileIOError) {
        guard Foundation.rename(source, target) == 0 else {
            throw .errno(path: target, "cannot rename \(source) into place")
        }
    }

    /// Moves `source` to `target` only if `target` does not exist yet, atomically: two writers racing for the
    /// same name cannot overwrite each other (a feed folder must never have a published package replaced).
    ///
    /// `link` then `unlink` rather than Linux's `renameat2(RENAME_NOREPLACE)`: it works on every POSIX file
    /// system the tool meets, including NFS and older kernels, and fails with `EEXIST` in the same race.
    public static func renameWithoutReplacing(_ source: String, to target: String) throws(FileIOError) {
        guard link(source, target) == 0 else {
            // "already exists" alone: the caller says what it was placing.
            let reason = errno == EEXIST ? "already exists" : "cannot link \(source) here: \(FileIOError.errnoText())"
            throw FileIOError(path: target, reason: reason)
        }
        unlink(source)
    }
}
