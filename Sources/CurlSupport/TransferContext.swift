import FileSupport
import Foundation
import Hashing
import Synchronization

/// A flag the awaiting task sets when it is cancelled; the transfer thread polls it in the progress callback.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func cancel() { value.store(true, ordering: .relaxed) }
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}

/// The state of one transfer, reached from libcurl's callbacks through an unretained pointer. Lives on the
/// transfer thread only.
final class TransferContext {
    private let request: HTTPRequest
    private let cancellation: CancellationFlag

    // Response.
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    /// Every header line of the final response in order (several `Set-Cookie` lines are normal).
    private(set) var headerLines: [(name: String, value: String)] = []
    private(set) var memory: [UInt8] = []
    private(set) var errorBody: [UInt8] = []
    /// Set when the write side failed; the transfer then ends with CURLE_WRITE_ERROR and this explains it.
    private(set) var writeFailure: HTTPError?

    // File destination.
    private var descriptor: Int32 = -1
    private var fileStarted = false
    /// Hashes small bodies inline; made at the first body byte, when the size is known.
    private var hasher: Digester?
    /// Set for large bodies, which are hashed, written and consumed on threads of their own (see ``DownloadPipeline``).
    private var pipeline: DownloadPipeline?
    /// Bodies at least this large go through the pipeline; for small ones its threads cost more than they save.
    static let pipelineThreshold: Int64 = 4 << 20
    private(set) var fileSize: Int64 = 0
    let resumeOffset: Int64

    // Upload.
    private var uploadPieces: [UploadPiece] = []
    private var uploadIndex = 0
    private var uploadPosition = 0
    private(set) var uploadSize: Int64 = 0
    private var uploadDescriptor: Int32 = -1
    private(set) var readFailure: HTTPError?

    private enum UploadPiece {
        case bytes([UInt8])
        case file
    }

    static let errorBodyLimit = 64 << 10

    init(request: HTTPRequest, cancellation: CancellationFlag) throws(HTTPError) {
        self.request = request
        self.cancellation = cancellation
        var offset: Int64 = 0
        if case let .file(path, resume) = request.destination {
            let flags = O_WRONLY | O_CREAT | O_CLOEXEC
            descriptor = open(path, flags, 0o644)
            guard descriptor >= 0 else { throw .fileError(path: path, reason: "cannot open for writing: \(Self.errnoText())") }
            if resume {
                var info = stat()
                if fstat(descriptor, &info) == 0 { offset = Int64(info.st_size) }
            }
        }
        resumeOffset = offset
        if case let .bytes(bytes) = request.body {
            // Streamed through the read callback like a file: the bytes (a form with a password, JSON)
            // are copied nowhere else and never logged.
            uploadPieces = [.bytes(bytes)]
            uploadSize = Int64(bytes.count)
        }
        if case let .file(path) = request.body {
            uploadDescriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard uploadDescriptor >= 0 else { throw .fileError(path: path, reason: "cannot open for reading: \(Self.errnoText())") }
            var info = stat()
            guard fstat(uploadDescriptor, &info) == 0 else { throw .fileError(path: path, reason: "cannot stat: \(Self.errnoText())") }
            uploadPieces = [.file]
            uploadSize = Int64(info.st_size)
        }
        if case let .multipartFile(path, fieldName, fileName) = request.body {
            uploadDescriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard uploadDescriptor >= 0 else { throw .fileError(path: path, reason: "cannot open for reading: \(Self.errnoText())") }
            var info = stat()
            guard fstat(uploadDescriptor, &info) == 0 else { throw .fileError(path: path, reason: "cannot stat: \(Self.errnoText())") }
            boundary = Self.makeBoundary()
            let preamble = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fieldName)\"; filename=\"\(fileName)\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
            let epilogue = "\r\n--\(boundary)--\r\n"
            uploadPieces = [.bytes(Array(preamble.utf8)), .file, .bytes(Array(epilogue.utf8))]
            uploadSize = Int64(preamble.utf8.count) + Int64(info.st_size) + Int64(epilogue.utf8.count)
        }
    }

    deinit {
        pipeline?.cancel()
        if descriptor >= 0 { close(descriptor) }
        if uploadDescriptor >= 0 { close(uploadDescriptor) }
    }

    /// The multipart boundary of this request's body (empty when it has none).
    private(set) var boundary = ""

    /// A fresh boundary per request, 128 random bits: a fixed one could occur in a package, which then
    /// could never be pushed (the server would cut the part there); a random one occurs by chance with
    /// probability about size/2^128.
    static func makeBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }
        return "ccm-upgrade-" + digits.joined(separator: "-")
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    // MARK: Headers

    func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or a 100 Continue): start over.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
            headerLines = []
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        headers[name] = value
        headerLines.append((name, value))
    }

    private var isSuccessStatus: Bool { (200..<300).contains(status) }

    // MARK: Body

    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard isSuccessStatus else {
            if errorBody.count < Self.errorBodyLimit { errorBody.append(contentsOf: bytes.prefix(Self.errorBodyLimit - errorBody.count)) }
            return true
        }
        switch request.destination {
        case let .memory(limit):
            guard memory.count + bytes.count <= limit else {
                writeFailure = .bodyTooLarge(url: request.url, limit: limit)
                return false
            }
            memory.append(contentsOf: bytes)
            return true
        case let .file(path, _):
            do throws(HTTPError) {
                if !fileStarted { try startFile(path: path) }
                if let limit = request.maxFileBytes, fileSize + Int64(bytes.count) > limit { throw fileTooLarge(limit) }
                if let pipeline {
                    try pipeline.update(bytes)
                } else {
                    try writeAll(bytes, path: path)
                    hasher?.update(bytes)
                }
                fileSize += Int64(bytes.count)
                return true
            } catch {
                writeFailure = error
                return false
            }
        }
    }

    /// Decides, at the first body byte, whether the server resumed (206 from our offset) or restarted (200).
    private func startFile(path: String) throws(HTTPError) {
        fileStarted = true
        let expected = (status == 206 ? resumeOffset : 0) + (Int64(headers["content-length"] ?? "") ?? 0)
        if let limit = request.maxFileBytes, expected > limit { throw fileTooLarge(limit) }
        let resuming = status == 206 && resumeOffset > 0
        if resuming {
            let range = headers["content-range"] ?? ""
            guard range.hasPrefix("bytes \(resumeOffset)-") else {
                throw .invalidResponse(url: request.url, field: "Content-Range",
                                       expected: "bytes \(resumeOffset)-… for a resumed download, got '\(range)'")
            }
        } else {
            guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) >= 0 else {
                throw .fileError(path: path, reason: "cannot truncate: \(Self.errnoText())")
            }
        }
        if expected >= Self.pipelineThreshold, headers["content-length"] != nil {
            pipeline = DownloadPipeline(descriptor: descriptor, path: path, writeFrom: resuming ? resumeOffset : 0,
                                        expectedSize: expected, bypassCache: request.writeBypassingCache,
                                        consumer: request.bodyConsumer)
        } else {
            // No Content-Length (a chunked body) is no promise of a small one: nil lets libcrypto take it.
            hasher = Digester(.sha512, expectedSize: headers["content-length"] == nil ? nil : expected)
        }
        fileSize = 0
        if resuming {
            // The part already on disk is hashed (and shown to the consumer) again, not rewritten.
            try hashPrefix(path: path, length: resumeOffset)
            fileSize = resumeOffset
            guard lseek(descriptor, off_t(resumeOffset), SEEK_SET) >= 0 else {
                throw .fileError(path: path, reason: "cannot seek: \(Self.errnoText())")
            }
        }
    }

    private func fileTooLarge(_ limit: Int64) -> HTTPError {
        .invalidResponse(url: request.url, field: "body", expected: "at most \(limit) bytes (the size the feed declared, plus margin)")
    }

    private func hashPrefix(path: String, length: Int64) throws(HTTPError) {
        func rereadFailed(_ reason: String) -> HTTPError { .fileError(path: path, reason: "cannot reread the partial file to resume: \(reason)") }
        let reader: Int32
        do { reader = try FileIO.openForReading(path) } catch { throw rereadFailed(error.reason) }
        defer { close(reader) }
        var hashed: Int64 = 0
        let chunks = ChunkedReader(descriptor: reader, path: path, limit: length)
        while true {
            let chunk: UnsafeRawBufferPointer?
            do { chunk = try chunks.next() } catch { throw rereadFailed(error.reason) }
            guard let chunk else { break }
            try hash(chunk)
            hashed += Int64(chunk.count)
        }
        guard hashed == length else { throw rereadFailed("it is shorter than the \(length) bytes expected") }
    }

    /// Adds bytes already on disk to the hash (and, through the pipeline, to the consumer; not rewritten).
    private func hash(_ bytes: UnsafeRawBufferPointer) throws(HTTPError) {
        if let pipeline { try pipeline.update(bytes) } else { hasher?.update(bytes) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, path: String) throws(HTTPError) {
        do { try FileIO.writeAll(descriptor, bytes, path: path) } catch { throw .fileError(path: path, reason: error.reason) }
    }

    /// Whether this attempt's body went through the request's consumer (set by ``finishFile()``).
    private(set) var bodyConsumed = false

    /// Called after a successful transfer: a 2xx answer with an empty body still truncates the file.
    func finishFile() throws(HTTPError) -> (size: Int64, sha512: [UInt8])? {
        guard case let .file(path, _) = request.destination, isSuccessStatus else { return nil }
        if !fileStarted { try startFile(path: path) }
        if let pipeline {
            self.pipeline = nil
            let digest = try pipeline.finish()
            bodyConsumed = pipeline.hasConsumer
            return (fileSize, digest)
        }
        guard fsync(descriptor) == 0 else { throw .fileError(path: path, reason: "fsync failed: \(Self.errnoText())") }
        do throws(HashingError) {
            let hasher = self.hasher ?? Digester(.sha512, expectedSize: 0)
            self.hasher = nil
            return (fileSize, try hasher.finalize().bytes)
        } catch {
            throw .fileError(path: path, reason: "cannot hash the download: \(error.message)")
        }
    }

    // MARK: Upload

    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var filled = 0
        while filled < buffer.count, uploadIndex < uploadPieces.count {
            switch uploadPieces[uploadIndex] {
            case let .bytes(bytes):
                let count = min(bytes.count - uploadPosition, buffer.count - filled)
                if count > 0 {
                    bytes.withUnsafeBytes { source in
                        (buffer.baseAddress! + filled).copyMemory(from: source.baseAddress! + uploadPosition, byteCount: count)
                    }
                }
                filled += count
                uploadPosition += count
                if uploadPosition == bytes.count { uploadIndex += 1; uploadPosition = 0 }
            case .file:
                let count: Int
                do {
                    count = try FileIO.readSome(uploadDescriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]), path: uploadPath)
                } catch {
                    readFailure = .fileError(path: uploadPath, reason: "read failed during upload: \(error.reason)")
                    return nil
                }
                if count == 0 { uploadIndex += 1; uploadPosition = 0 } else { filled += count }
            }
        }
        return filled
    }

    private var uploadPath: String {
        if case let .multipartFile(path, _, _) = request.body { return path }
        if case let .file(path) = request.body { return path }
        return ""
    }

    // MARK: Progress and cancellation

    func progress(downloaded: Int64, downloadTotal: Int64, uploaded: Int64, uploadTotal: Int64) -> Bool {
        if cancellation.isCancelled { return false }
        if let onProgress = request.onProgress {
            if uploadTotal > 0 { onProgress(uploaded, uploadTotal) } else { onProgress(resumeOffset + downloaded, downloadTotal > 0 ? resumeOffset + downloadTotal : 0) }
        }
        return true
    }
}
