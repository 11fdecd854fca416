import Foundation

extension FileIO {
    /// The alignment a direct write needs for its address, length and file offset (the largest logical block
    /// size in use; 512-byte devices accept it too).
    public static let directAlignment = 4096

    /// Opens `path` (which exists) a second time for writes that bypass the page cache (`O_DIRECT`), or nil
    /// where the system or file system offers none (tmpfs refuses it; so do other systems than Linux here).
    ///
    /// Why: a large download written through the page cache costs a copy per byte and leaves a gigabyte of
    /// dirty pages that the closing `fsync` then waits for; written directly, the device takes the bytes
    /// while the transfer goes on (bench/download).
    public static func openForDirectWriting(_ path: String) -> Int32? {
        #if os(Linux) && (arch(x86_64) || arch(i386))
            let direct: Int32 = 0o40000  // O_DIRECT, which Glibc's Swift overlay does not export
        #elseif os(Linux) && (arch(arm64) || arch(arm))
            let direct: Int32 = 0o200000
        #else
            return nil
        #endif
        #if os(Linux)
            let descriptor = open(path, O_WRONLY | O_CLOEXEC | direct)
            return descriptor >= 0 ? descriptor : nil
        #endif
    }

    /// Writes all of `bytes` at `offset` of `descriptor` (positioned: threads sharing a descriptor do not
    /// race on its offset; short writes are continued). `path` names the file in errors.
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(FileIOError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, base + done, bytes.count - done, off_t(offset + Int64(done)))
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw .errno(path: path, "write failed") }
            done += written
        }
    }
}
