import Foundation

/// Buffered writes to standard output for large results (`inspect` of a folder).
///
/// The pieces go out in 64 KiB writes as they are added. Joining a thousand package reports into one
/// string first, and then copying it into `Data`, cost a few milliseconds of page faults and copies on one
/// thread after all the parallel work was done.
struct OutputWriter {
    private static let chunkSize = 64 << 10
    private var buffer: [UInt8] = []
    private let handle: FileHandle

    init(_ handle: FileHandle = .standardOutput) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunkSize)
    }

    mutating func write(_ bytes: [UInt8]) {
        if buffer.count + bytes.count > Self.chunkSize { flush() }
        if bytes.count >= Self.chunkSize {
            handle.write(Data(bytes))
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write(Array($0)) }
    }

    /// Writes out what is buffered; call before anything else writes to the same handle.
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
