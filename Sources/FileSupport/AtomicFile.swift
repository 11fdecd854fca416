import Foundation

/// Whole-file writes that readers and crashes never see half done: the bytes go to a temporary file beside
/// the destination, are flushed to disk (`fsync`), and the temporary file is renamed over the destination.
/// After a crash the destination holds either the old or the new content, never a mix or an empty file;
/// the temporary file it may leave is removed by the next run that writes into the folder (``TemporaryFiles``).
///
/// Used for everything the tool keeps between runs (plans, run and internalize journals, deployment files).
public enum AtomicFile {
    /// Writes `bytes` to `path`, replacing it atomically. `permissions` apply to a newly created file
    /// (journals that name feeds use 0o600).
    public static func write(_ bytes: some Collection<UInt8>, to path: String, permissions: Int = 0o644) throws(FileIOError) {
        // A random part: two processes (or two writers in one) never share a temporary file.
        let temporary = TemporaryFiles.path(beside: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard descriptor >= 0 else { throw FileIOError(path: path, reason: "cannot create \(temporary): \(errnoText())") }
        var failure: String?
        do { try FileIO.writeAll(descriptor, Array(bytes), path: temporary) } catch { failure = error.reason }
        if failure == nil, fsync(descriptor) != 0 { failure = "fsync failed: \(errnoText())" }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = "cannot rename the temporary file into place: \(errnoText())" }
        if let failure {
            unlink(temporary)
            throw FileIOError(path: path, reason: failure)
        }
        syncFolder(of: path)
    }

    /// Flushes the folder entry too: without it a power loss can bring back the old file after the rename,
    /// and a run journal would then repeat a step that finished. Best effort (some file systems refuse).
    private static func syncFolder(of path: String) {
        let descriptor = open(TemporaryFiles.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// Writes `text` as UTF-8.
    public static func write(_ text: String, to path: String, permissions: Int = 0o644) throws(FileIOError) {
        try write(Array(text.utf8), to: path, permissions: permissions)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
