import FileSupport
import Foundation
import Testing

/// A fresh folder under the system temporary folder, removed by `remove()`.
struct Sandbox {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ccm-files-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ bytes: [UInt8]) { _ = FileManager.default.createFile(atPath: file(name), contents: Data(bytes)) }
    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite("Chunked I/O, copy with hash, renames")
struct FileIOTests {
    // SHA-512 of "abc" (FIPS 180-2 test vector) and of the empty input.
    static let abc = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    static let empty = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"

    @Test(arguments: [(Array("abc".utf8), abc), ([], empty)])
    func copyHashesWhatItWrites(content: [UInt8], digest: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        sandbox.write("in", content)
        let copied = try FileIO.copy(from: sandbox.file("in"), to: sandbox.file("out"))
        #expect(copied.size == Int64(content.count))
        #expect(hex(copied.sha512) == digest)
        #expect(FileManager.default.contents(atPath: sandbox.file("out")).map(Array.init) == content)
        #expect(hex(try FileIO.sha512(ofFileAt: sandbox.file("out")).sha512) == digest)
    }

    @Test func largeFilesStreamInChunksAndALimitStopsEarly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let content = (0..<(3 * FileIO.chunkSize + 17)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        sandbox.write("big", content)
        let copied = try FileIO.copy(from: sandbox.file("big"), to: sandbox.file("copy"))
        #expect(copied.size == Int64(content.count))
        #expect(FileManager.default.contents(atPath: sandbox.file("copy")).map(Array.init) == content)
        let descriptor = try FileIO.openForReading(sandbox.file("big"))
        defer { close(descriptor) }
        let prefix = try FileIO.sha512(of: descriptor, path: "big", limit: 3)
        #expect(prefix.size == 3)
        sandbox.write("three", Array(content.prefix(3)))
        #expect(prefix.sha512 == (try FileIO.sha512(ofFileAt: sandbox.file("three"))).sha512)
    }

    @Test func errorsNameTheFile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let missing = sandbox.file("missing")
        let error = #expect(throws: FileIOError.self) { try FileIO.copy(from: missing, to: sandbox.file("out")) }
        #expect(error?.path == missing)
        #expect(error?.reason.contains("No such file") == true)
        let shrunk = #expect(throws: FileIOError.self) {
            sandbox.write("short", [1, 2])
            let descriptor = try FileIO.openForReading(sandbox.file("short"))
            defer { close(descriptor) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
            defer { buffer.deallocate() }
            try FileIO.readExactly(descriptor, into: buffer, path: "short")
        }
        #expect(shrunk?.reason == "the file shrank while it was read")
    }

    // (offset, count, the bytes read or nil when the read must fail with `reason`)
    @Test(arguments: [
        (Int64(3), 4, [UInt8]?([3, 4, 5, 6]), ""), (0, 10, Array(0..<10), ""), (9, 1, [9], ""), (10, 0, [], ""),
        (8, 4, nil, "the file shrank while it was read"), (.max, 2, nil, "read offset \(Int64.max) is out of range"),
        (-1, 1, nil, "read offset -1 is out of range"),
    ])
    func positionedReadsLeaveThePositionAlone(offset: Int64, count: Int, expected: [UInt8]?, reason: String) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        sandbox.write("ten", Array(0..<10))
        let descriptor = try FileIO.openForReading(sandbox.file("ten"))
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 1)
        defer { buffer.deallocate() }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        if let expected {
            try FileIO.readExactly(descriptor, into: target, atOffset: offset, path: "ten")
            #expect(Array(target) == expected)
        } else {
            #expect(throws: FileIOError(path: "ten", reason: reason)) { try FileIO.readExactly(descriptor, into: target, atOffset: offset, path: "ten") }
        }
        #expect(lseek(descriptor, 0, SEEK_CUR) == 0, "pread must not move the file position")
    }

    @Test func renameWithoutReplacingNeverOverwrites() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        sandbox.write("a", [1])
        sandbox.write("b", [2])
        let error = #expect(throws: FileIOError.self) { try FileIO.renameWithoutReplacing(sandbox.file("a"), to: sandbox.file("b")) }
        #expect(error?.reason == "already exists")
        #expect(FileManager.default.contents(atPath: sandbox.file("b")) == Data([2]))
        try FileIO.renameWithoutReplacing(sandbox.file("a"), to: sandbox.file("c"))
        #expect(try sandbox.names() == ["b", "c"])
        try FileIO.rename(sandbox.file("c"), to: sandbox.file("b"))
        #expect(FileManager.default.contents(atPath: sandbox.file("b")) == Data([1]))
    }

    @Test func blockingWorkRunsOffThePoolAndKeepsTypedErrors() async throws {
        let value = try await Blocking.run { () throws(FileIOError) -> Int in 42 }
        #expect(value == 42)
        let error = await #expect(throws: FileIOError.self) {
            try await Blocking.run { () throws(FileIOError) -> Int in throw FileIOError(path: "p", reason: "r") }
        }
        #expect(error == FileIOError(path: "p", reason: "r"))
    }

    @Test func folderWalkListsMatchingFilesInByteOrder() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try FileManager.default.createDirectory(atPath: sandbox.file("b/deep"), withIntermediateDirectories: true)
        for name in ["Z.nupkg", "a.NUPKG", "b/deep/c.nupkg", "b/skip.txt", "é.nupkg"] { sandbox.write(name, [0]) }
        try FileManager.default.createSymbolicLink(atPath: sandbox.file("loop"), withDestinationPath: sandbox.path)
        let found = FolderWalk.files(under: sandbox.path) { $0.count > 6 && String(decoding: $0.suffix(6), as: UTF8.self).lowercased() == ".nupkg" }
        #expect(found.map { String(decoding: $0, as: UTF8.self) } == ["Z.nupkg", "a.NUPKG", "b/deep/c.nupkg", "é.nupkg"])
    }
}
