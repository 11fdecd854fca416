import FileSupport
import Foundation
import Hashing

/// A large download's body, handed from the transfer thread to stages that each run on a thread of their
/// own: SHA-512, the file write (direct to the device when the request asks), and optionally the request's ``HTTPRequest/bodyConsumer`` (the package
/// vetter). All stages see the same buffers in order; a buffer is reused once every stage is done with it.
///
/// Why threads: on the machines measured, SHA-512 (0.75–0.9 GB/s with libcrypto) is slower than loopback and
/// 10 GbE, so hashed inline it halved the transfer; writing through the page cache costs as much CPU as the
/// receive itself, and vetting the finished file read it all again. Here the transfer thread only receives
/// and copies, and the slowest stage sets the pace (bench/download). Memory stays at ``slotCount`` buffers
/// of ``bufferSize`` whatever the body's size (``CCM_UPGRADE_PIPELINE_SLOTS`` overrides the count, for
/// measuring).
final class DownloadPipeline: @unchecked Sendable {
    static let bufferSize = 1 << 20
    /// Slots per pipeline: enough that a stage that stalls for a moment (a direct write waiting on the
    /// device, the vetter inflating an entry) does not stop the others, few enough that several downloads
    /// at once (installers fetched side by side for embedding) stay within the tool's 64 MiB.
    private let slotCount: Int
    static let defaultSlotCount = 4

    // Everything below is guarded by `condition`, except the slots' bytes: a slot is written by the transfer
    // thread before it is published and read by stages after, never both at once.
    private let condition = NSCondition()
    private let slots: [UnsafeMutableRawBufferPointer]
    private var counts: [Int]
    /// Buffers handed over so far; buffer `n` lives in slot `n % slotCount`.
    private var published = 0
    /// Per stage, how many buffers it has finished with.
    private var finished: [Int]
    /// Stages that stopped taking buffers (a consumer that returned early) no longer hold slots.
    private var detached: [Bool]
    private var closed = false
    private var abandoned = false
    private var runningStages = 0
    private var writeFailure: HTTPError?

    /// Bytes of the slot being filled on the transfer thread.
    private var filling = 0

    private let hasher = Digester(.sha512)
    private let descriptor: Int32
    private let directDescriptor: Int32?
    private let path: String
    private let writeFrom: Int64

    fileprivate enum Stage: Int, CaseIterable { case hash, write, consume }

    /// Bytes from position 0 go through every stage; the file write skips those before `writeFrom` (the part
    /// of a resumed file that is already on disk, fed again only to be hashed and vetted). `expectedSize` is
    /// the whole body's size, told to `consumer`.
    init(descriptor: Int32, path: String, writeFrom: Int64, expectedSize: Int64, bypassCache: Bool,
         consumer: (@Sendable (BodyStream) -> Void)?) {
        self.descriptor = descriptor
        self.path = path
        self.writeFrom = writeFrom
        // Direct writes need address, length and offset aligned: whole buffers are (they start at multiples of
        // 1 MiB); the piece of a resumed file's first buffer and the tail go through the page cache (`write`).
        directDescriptor = bypassCache ? FileIO.openForDirectWriting(path) : nil
        slotCount = ProcessInfo.processInfo.environment["CCM_UPGRADE_PIPELINE_SLOTS"].flatMap(Int.init).map { min(max($0, 2), 64) }
            ?? Self.defaultSlotCount
        slots = (0..<slotCount).map { _ in .allocate(byteCount: Self.bufferSize, alignment: FileIO.directAlignment) }
        counts = Array(repeating: 0, count: slotCount)
        finished = Array(repeating: 0, count: Stage.allCases.count)
        detached = Array(repeating: false, count: Stage.allCases.count)
        detached[Stage.consume.rawValue] = consumer == nil
        hasConsumer = consumer != nil
        // Counted before any thread starts: a stage that ends at once must find its own count.
        runningStages = consumer == nil ? 2 : 3
        start(.hash) { [self] buffer, _ in hasher.update(buffer) }
        start(.write) { [self] buffer, position in write(buffer, at: position) }
        if let consumer {
            let stream = BodyStream(pipeline: self, expectedSize: expectedSize)
            let thread = Thread { [self] in
                consumer(stream)
                stageEnded(.consume)
            }
            thread.name = "ccm-upgrade body consumer"
            thread.start()
        }
    }

    deinit {
        for slot in slots { slot.deallocate() }
        if let directDescriptor { close(directDescriptor) }
    }

    // MARK: Transfer thread

    /// Adds body bytes, in order. Throws when writing failed (the transfer then stops).
    func update(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) {
        var offset = 0
        while offset < bytes.count {
            let slot = slots[published % slotCount]
            let count = min(bytes.count - offset, Self.bufferSize - filling)
            (slot.baseAddress! + filling).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filling += count
            offset += count
            if filling == Self.bufferSize { try publish(waitForNext: true) }
        }
    }

    /// Hands the last bytes over, waits for every stage, syncs the file and returns the SHA-512.
    func finish() throws(HTTPError) -> [UInt8] {
        // Stopped whatever the tail's publish says: a write failure must not leave the stages waiting for ever.
        if filling > 0 { try? publish(waitForNext: false) }
        stop(abandon: false)
        if let writeFailure { throw writeFailure }
        guard fsync(descriptor) == 0 else { throw .fileError(path: path, reason: "fsync failed: \(TransferContext.errnoText())") }
        do { return try hasher.finalize().bytes } catch { throw .fileError(path: path, reason: "cannot hash the download: \(error.message)") }
    }

    /// Whether the request's consumer ran over this body (it did when there is one: it runs from the start).
    let hasConsumer: Bool

    /// Stops without a result (a transfer that failed or was cancelled). Every byte received is still written,
    /// so that the next attempt resumes after it; hashing and consuming stop at once.
    func cancel() {
        if filling > 0 { try? publish(waitForNext: false) }
        stop(abandon: true)
    }

    private func publish(waitForNext: Bool) throws(HTTPError) {
        condition.lock()
        defer { condition.unlock() }
        counts[published % slotCount] = filling
        published += 1
        filling = 0
        condition.broadcast()
        // The next slot is free once every attached stage has finished the buffer it held before.
        while waitForNext, writeFailure == nil, !slotIsFree(for: published) { condition.wait() }
        if let writeFailure { throw writeFailure }
    }

    private func slotIsFree(for buffer: Int) -> Bool {
        Stage.allCases.allSatisfy { detached[$0.rawValue] || finished[$0.rawValue] > buffer - slotCount }
    }

    private func stop(abandon: Bool) {
        condition.lock()
        closed = true
        abandoned = abandoned || abandon
        condition.broadcast()
        while runningStages > 0 { condition.wait() }
        condition.unlock()
    }

    // MARK: Stages

    /// Runs `work` over every buffer in order on a new thread (`position`: the buffer's offset in the body).
    private func start(_ stage: Stage, work: @escaping @Sendable (UnsafeRawBufferPointer, Int64) -> Void) {
        let thread = Thread { [self] in
            var index = 0
            while let buffer = take(stage, index: index) {
                work(buffer, Int64(index) * Int64(Self.bufferSize))
                index += 1
                release(stage, upTo: index)
            }
            stageEnded(stage)
        }
        thread.name = "ccm-upgrade download \(stage)"
        thread.start()
    }

    /// Buffer `index` once published; nil when the body ended before it (or was abandoned).
    fileprivate func take(_ stage: Stage, index: Int) -> UnsafeRawBufferPointer? {
        condition.lock()
        defer { condition.unlock() }
        while index >= published, !closed { condition.wait() }
        guard index < published, !abandoned || stage == .write else { return nil }
        return UnsafeRawBufferPointer(rebasing: slots[index % slotCount][0..<counts[index % slotCount]])
    }

    fileprivate func release(_ stage: Stage, upTo count: Int) {
        condition.lock()
        finished[stage.rawValue] = count
        condition.broadcast()
        condition.unlock()
    }

    private func stageEnded(_ stage: Stage) {
        condition.lock()
        detached[stage.rawValue] = true
        runningStages -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The write stage: full, aligned buffers go straight to the device; the tail, and any write the file
    /// system refuses to take directly, through the page cache. After a failure it only lets buffers pass.
    private func write(_ buffer: UnsafeRawBufferPointer, at position: Int64) {
        guard currentWriteFailure == nil else { return }
        let end = position + Int64(buffer.count)
        guard end > writeFrom else { return }
        let skip = Int(max(0, writeFrom - position))
        let piece = UnsafeRawBufferPointer(rebasing: buffer[skip...])
        let offset = position + Int64(skip)
        if let directDescriptor, directWrites, skip == 0, piece.count % FileIO.directAlignment == 0 {
            do throws(FileIOError) {
                try FileIO.writeAll(directDescriptor, piece, at: offset, path: path)
                return
            } catch {
                // This file system takes no direct writes after all (EINVAL): the page cache does, from now
                // on. A real failure (a full disk) fails the buffered write below too, and is reported there.
                directWrites = false
            }
        }
        do throws(FileIOError) {
            try FileIO.writeAll(descriptor, piece, at: offset, path: path)
        } catch {
            condition.lock()
            writeFailure = .fileError(path: path, reason: error.reason)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Whether direct writes are still tried (write stage only).
    private var directWrites = true

    private var currentWriteFailure: HTTPError? {
        condition.lock()
        defer { condition.unlock() }
        return writeFailure
    }

}

/// A download's body as a consumer pulls it, in order, on a thread of its own (see
/// ``HTTPRequest/bodyConsumer``). The consumer sees exactly the bytes that are hashed and written.
public final class BodyStream: @unchecked Sendable {
    private let pipeline: DownloadPipeline
    /// The size the whole body will have (Content-Length, plus the resumed part).
    public let expectedSize: Int64
    private var index = 0
    private var holding = false

    fileprivate init(pipeline: DownloadPipeline, expectedSize: Int64) {
        self.pipeline = pipeline
        self.expectedSize = expectedSize
    }

    /// The next piece of the body, valid until the following call; nil at the end of the body, or when the
    /// transfer failed (then the download fails too, whatever the consumer concludes). Call from the
    /// consumer's thread only.
    public func next() -> UnsafeRawBufferPointer? {
        if holding {
            index += 1
            pipeline.release(.consume, upTo: index)
            holding = false
        }
        guard let buffer = pipeline.take(.consume, index: index) else { return nil }
        holding = true
        return buffer
    }
}
