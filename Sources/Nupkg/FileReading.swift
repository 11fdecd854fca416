import Foundation

/// Reads an open file descriptor to its end in fixed 1 MiB chunks: memory stays flat whatever the file size.
enum FileReading {
    static let chunkSize = 1 << 20

    /// Calls `body` with each chunk; retries reads interrupted by signals; `path` names the file in errors.
    static func chunks(of descriptor: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                throw .cannotOpen(path: path, reason: "read failed: " + String(cString: strerror(errno)))
            }
            if count == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
