@testable import CurlSupport
import Foundation
import Hashing
import Synchronization
import Testing
import TestSupport

/// Large bodies go through DownloadPipeline: hashed, written (direct to the device when asked) and shown to
/// the request's consumer on threads of their own. Against Tests/Fixtures/resource-server (real sockets,
/// real libcurl): whatever the stages' speeds, the file, its SHA-512 and what the consumer saw are the body.
@Suite("Download pipeline: hash, write and consume a large body")
struct PipelineTests {
    /// What consumers saw, attempt by attempt: SHA-256 and size of the bytes each one pulled.
    final class Seen: Sendable {
        private let value = Mutex<[(sha256: String, size: Int64, expected: Int64)]>([])
        func add(_ item: (sha256: String, size: Int64, expected: Int64)) { value.withLock { $0.append(item) } }
        var all: [(sha256: String, size: Int64, expected: Int64)] { value.withLock { $0 } }
    }

    enum Consumer: String, CaseIterable, Sendable {
        /// Pulls every piece.
        case whole
        /// Pulls every piece, sleeping a little on each: the transfer must wait for it, not drop buffers.
        case slow
        /// Stops after the first piece (a vetter that found the end of the archive): the transfer goes on.
        case early
    }

    static func consumer(_ kind: Consumer, into seen: Seen) -> @Sendable (BodyStream) -> Void {
        { body in
            let digester = Digester(.sha256)
            var size: Int64 = 0
            while let piece = body.next() {
                digester.update(piece)
                size += Int64(piece.count)
                if kind == .slow { usleep(2000) }
                if kind == .early { break }
            }
            seen.add(((try? digester.finalize().hex) ?? "", size, body.expectedSize))
        }
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var size: Int
        var consumer: Consumer?
        var bypassCache: Bool
        /// Where the file goes: /dev/shm is tmpfs, which takes no direct writes (the fallback path).
        var folder: String
        /// Bytes of the file already on disk before the request (a resumed download).
        var prefix = 0
        /// The fixture's mode: `files`, or `reset-once` (the first attempt is cut off; the second resumes).
        var mode = "files"
        var testDescription: String { name }
    }

    static let tmp = NSTemporaryDirectory()
    static let rows: [Row] = [
        Row(name: "direct writes, a consumer, an unaligned tail", size: (9 << 20) + 123, consumer: .whole, bypassCache: true, folder: tmp),
        Row(name: "through the page cache", size: (9 << 20) + 123, consumer: .whole, bypassCache: false, folder: tmp),
        Row(name: "tmpfs refuses direct writes: the page cache takes them", size: (6 << 20) + 1, consumer: .whole, bypassCache: true,
            folder: access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp),
        Row(name: "a slow consumer sets the pace", size: 6 << 20, consumer: .slow, bypassCache: true, folder: tmp),
        Row(name: "a consumer that stops early does not stall the transfer", size: 9 << 20, consumer: .early, bypassCache: true, folder: tmp),
        Row(name: "no consumer", size: 5 << 20, consumer: nil, bypassCache: true, folder: tmp),
        Row(name: "resumed at an unaligned offset: the consumer still sees the whole body", size: 9 << 20, consumer: .whole,
            bypassCache: true, folder: tmp, prefix: 5_000_001),
        Row(name: "cut off, then resumed by the retry: what the first attempt received is on disk", size: 12 << 20, consumer: .whole,
            bypassCache: true, folder: tmp, mode: "reset-once"),
        Row(name: "a small body skips the pipeline and its consumer", size: 1 << 20, consumer: .whole, bypassCache: true, folder: tmp),
    ]

    /// Bytes that differ at every 8-byte position (a piece written at the wrong offset shows), made fast:
    /// a debug build draws random bytes one by one at a few MB/s.
    static func body(size: Int) -> [UInt8] {
        let seed = UInt64.random(in: 0...UInt64.max)
        let words = (0..<(size / 8 + 1)).map { (UInt64($0) &+ seed) &* 0x9E37_79B9_7F4A_7C15 }
        return words.withUnsafeBytes { Array($0.prefix(size)) }
    }

    @Test(arguments: rows)
    func bodyArrivesWhole(_ row: Row) async throws {
        let served = (path: NSTemporaryDirectory() + "ccm-pipeline-served-\(UUID().uuidString)", ())
        try FileManager.default.createDirectory(atPath: served.path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: served.path) }
        let content = Self.body(size: row.size)
        try Data(content).write(to: URL(fileURLWithPath: served.path + "/body.bin"))
        let server = try FixtureServer(script: "Tests/Fixtures/resource-server/resource_server.py",
                                       arguments: [served.path, served.path + "/log"], name: "resource server")
        let destination = row.folder + "/ccm-pipeline-\(UUID().uuidString).bin"
        defer { unlink(destination) }
        if row.prefix > 0 { try Data(content[0..<row.prefix]).write(to: URL(fileURLWithPath: destination)) }

        let seen = Seen()
        var request = HTTPRequest(url: "http://127.0.0.1:\(server.port)/\(row.mode)/body.bin",
                                  destination: .file(path: destination, resume: row.prefix > 0 || row.mode != "files"))
        request.writeBypassingCache = row.bypassCache
        request.bodyConsumer = row.consumer.map { Self.consumer($0, into: seen) }
        let client = HTTPClient(transport: CurlTransport(), retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))
        let response = try await client.send(request)

        #expect(response.status == (row.prefix > 0 ? 206 : 200) || row.mode != "files")
        #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == Data(content), "\(row.name): the file differs")
        #expect(response.fileSize == Int64(row.size))
        #expect(response.fileSHA512 == Digester.digest(.sha512, of: content).bytes)
        let whole = Digester.digest(.sha256, of: content).hex
        let last = seen.all.last
        switch row.consumer {
        case _ where row.size < 4 << 20, nil:
            #expect(seen.all.isEmpty, "\(row.name): the consumer ran")
        case .early:
            #expect(last?.size == Int64(DownloadPipeline.bufferSize))
        case .whole, .slow:
            #expect(last?.sha256 == whole && last?.size == Int64(row.size), "\(row.name): the consumer saw other bytes")
            #expect(last?.expected == Int64(row.size))
        }
        if row.mode == "reset-once" {
            let log = try String(contentsOfFile: served.path + "/log", encoding: .utf8)
            #expect(log.contains("bytes="), "the retry did not resume: \(log)")
        }
    }
}
