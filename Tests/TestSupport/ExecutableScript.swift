import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Test scripts that tests then execute (stand-ins and wrappers).
public enum ExecutableScript {
    /// Writes `text` to `path` as an executable (0755) through a descriptor opened with `O_CLOEXEC`.
    ///
    /// Why not `String.write(toFile:)` + chmod: tests run in parallel, and a child that another test forks while
    /// the file is still open for writing inherits that descriptor; executing the script then fails with
    /// "Text file busy" (ETXTBSY) for as long as that child lives. `O_CLOEXEC` keeps the descriptor out of every
    /// child, and the file is complete and closed before anyone can run it.
    public static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(UUID().uuidString)"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
