import Foundation
import Hashing

/// SHA-512 computed on a thread of its own while the transfer thread goes on receiving and writing.
///
/// SHA-512 runs at 0.35–0.75 GB/s on the machines this was measured on (swift-crypto, then libcrypto through
/// Hashing), slower than loopback and 10 GbE: hashed inline in libcurl's write callback, it halved download
/// throughput. Bytes are copied into a
/// few fixed 1 MiB buffers and hashed in order; when all buffers are waiting, the transfer thread waits
/// too, so memory stays bounded (`bufferCount` MiB) whatever the package size.
final class BackgroundHasher: @unchecked Sendable {
    // State guarded by `condition`; the hashing thread owns `hasher` until `finalize` has joined it.
    private let condition = NSCondition()
    private var filled: [(buffer: UnsafeMutableRawBufferPointer, count: Int)] = []
    private var spare: [UnsafeMutableRawBufferPointer] = []
    private var finishing = false
    private var threadDone = false
    private let hasher = Digester(.sha512)

    /// The buffer being filled on the transfer thread.
    private var current: UnsafeMutableRawBufferPointer
    private var currentCount = 0

    static let bufferSize = 1 << 20
    static let bufferCount = 4

    init() {
        for _ in 0..<Self.bufferCount {
            spare.append(.allocate(byteCount: Self.bufferSize, alignment: 64))
        }
        current = spare.removeLast()
        let thread = Thread { [self] in hashLoop() }
        thread.name = "ccm-upgrade sha512"
        thread.start()
    }

    deinit {
        // `finalize` or `cancel` has stopped the thread; only the buffers are left.
        current.deallocate()
        for buffer in spare { buffer.deallocate() }
        for item in filled { item.buffer.deallocate() }
    }

    /// Adds bytes (called on the transfer thread, in order).
    func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, Self.bufferSize - currentCount)
            (current.baseAddress! + currentCount).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            currentCount += count
            offset += count
            if currentCount == Self.bufferSize { handOver() }
        }
    }

    /// Hands the remaining bytes over, waits for the hashing thread to finish and returns the digest.
    func finalize() throws(HashingError) -> Digest {
        if currentCount > 0 { handOver() }
        stopThread()
        return try hasher.finalize()
    }

    /// Stops the hashing thread without a result (a transfer that failed or was abandoned).
    func cancel() {
        condition.lock()
        for item in filled { spare.append(item.buffer) }
        filled.removeAll()
        condition.unlock()
        stopThread()
    }

    private func stopThread() {
        condition.lock()
        finishing = true
        condition.broadcast()
        while !threadDone { condition.wait() }
        condition.unlock()
    }

    /// Queues the current buffer and takes a spare one, waiting while the hashing thread is behind.
    private func handOver() {
        condition.lock()
        filled.append((current, currentCount))
        condition.broadcast()
        while spare.isEmpty { condition.wait() }
        current = spare.removeLast()
        condition.unlock()
        currentCount = 0
    }

    private func hashLoop() {
        condition.lock()
        while true {
            if let item = filled.first {
                filled.removeFirst()
                condition.unlock()
                hasher.update(UnsafeRawBufferPointer(rebasing: item.buffer[0..<item.count]))
                condition.lock()
                spare.append(item.buffer)
                condition.broadcast()
            } else if finishing {
                break
            } else {
                condition.wait()
            }
        }
        threadDone = true
        condition.broadcast()
        condition.unlock()
    }
}
