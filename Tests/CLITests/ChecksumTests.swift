import Foundation
import Testing

/// `checksum`: the digests of both hashing implementations (libcrypto, and swift-crypto forced through
/// CCM_UPGRADE_HASHING) agree with coreutils' `md5sum`/`sha1sum`/`sha256sum`/`sha512sum`.
@Suite("checksum command")
struct ChecksumTests {
    static let types = ["md5", "sha1", "sha256", "sha512"]

    /// A 3 MiB file of varied bytes: above the size from which libcrypto is used.
    static func makeFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("checksum-\(UUID().uuidString).bin").path
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<(3 << 20)).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func coreutils(_ type: String, _ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["\(type)sum", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    @Test(arguments: types, ["", "libcrypto", "swift-crypto"])
    func agreesWithCoreutils(type: String, implementation: String) throws {
        let path = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = implementation.isEmpty ? [:] : ["CCM_UPGRADE_HASHING": implementation]
        let result = try Tool.run(["checksum", "--type", type, path], environment: environment)
        #expect(result.status == 0)
        #expect(result.stdout == "\(try Self.coreutils(type, path))  \(path)\n")
    }

    /// libcrypto is opened only for large inputs: `inspect` of a small package never loads it (its start-up
    /// stays as it was), hashing a 3 MiB file does. Seen through the dynamic loader's own trace (LD_DEBUG).
    @Test func libcryptoIsLoadedOnlyForLargeInputs() throws {
        let small = try Tool.run(["inspect", Tool.corpus + "/nupkg/real/NuGetTest.0.0.1.nupkg"], environment: ["LD_DEBUG": "files"])
        #expect(small.status == 0)
        #expect(small.stderr.contains("file=") && !small.stderr.contains("libcrypto"), "inspect of a small package loaded libcrypto")
        let path = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let large = try Tool.run(["checksum", "-t", "sha512", path], environment: ["LD_DEBUG": "files"])
        #expect(large.status == 0)
        #expect(large.stderr.contains("file=libcrypto.so.3"))
    }

    @Test func checkMatchesAndMismatches() throws {
        let path = try Self.makeFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try Self.coreutils("sha512", path)
        #expect(try Tool.run(["checksum", "-t", "SHA512", "--check", expected.uppercased(), path]).status == 0)
        let wrong = String(repeating: "0", count: 128)
        let mismatch = try Tool.run(["checksum", "-t", "sha512", "--check", wrong, path])
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr.contains("error: \(path): its sha512 is \(expected), expected \(wrong)"))
    }

    @Test(arguments: [
        (["checksum", "--type", "crc32", "/dev/null"], "--type 'crc32' is not a checksum type"),
        (["checksum", "--check", String(repeating: "0", count: 64), "/dev/null", "/dev/null"], "--check compares one file; 2 were given"),
        (["checksum", "--check", "zzzz", "/dev/null"], "--check 'zzzz' is not a sha256 digest: expected 64 hex digits"),
        (["checksum", "-t", "md5", "--check", String(repeating: "a", count: 64), "/dev/null"], "--check '\(String(repeating: "a", count: 64))' is not a md5 digest"),
    ])
    func badInputExitsTwo(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(message)"))
    }

    @Test func missingFileExitsOne() throws {
        let result = try Tool.run(["checksum", "/nonexistent/file.bin"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: /nonexistent/file.bin: "))
    }
}
