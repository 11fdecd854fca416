import Foundation

/// An exclusive advisory lock on a file (`flock`) that the kernel releases when its holder ends, however it
/// ends: `kill -9`, a crash or a reboot never leaves a stale lock behind, unlike a "lock file exists" scheme.
/// The file itself stays; it holds the holder's process id for the message of the next one that is refused.
public final class FileLock: @unchecked Sendable {  // the descriptor is only closed once, in deinit/unlock
    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { unlock() }

    /// Takes the lock without waiting. Nil when another process holds it: `holder` then has what that process
    /// wrote into the file (its process id), when readable.
    public static func tryLock(path: String) throws(FileIOError) -> (lock: FileLock?, holder: String?) {
        // O_CLOEXEC: a child (choco) must not keep the lock of a run that ended.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .errno(path: path, "cannot open the lock file") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = Foundation.errno == EWOULDBLOCK
            let error = FileIOError.errno(path: path, "cannot lock")
            var holder: String?
            if busy {
                var bytes = [UInt8](repeating: 0, count: 64)
                let count = bytes.withUnsafeMutableBytes { (try? FileIO.readSome(descriptor, into: $0, path: path)) ?? 0 }
                holder = String(decoding: bytes.prefix(count), as: UTF8.self)
            }
            close(descriptor)
            if busy { return (nil, holder?.trimmingCharacters(in: .whitespacesAndNewlines)) }
            throw error
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        try? FileIO.writeAll(descriptor, text, path: path)
        return (FileLock(path: path, descriptor: descriptor), nil)
    }

    /// Releases the lock (also done when the object goes away or the process ends).
    public func unlock() {
        guard descriptor >= 0 else { return }
        // Unlocked explicitly before the close: a child forked elsewhere in this process but not yet exec'd
        // shares the open file description (O_CLOEXEC only closes it at exec), and a close alone would leave
        // the lock held until that child execs — a next run started at once was refused (seen under CI load).
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
