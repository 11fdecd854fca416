import ArgumentParser
import FileSupport
import Hashing
import JSONOutput

/// `ccm-upgrade checksum FILE... [--type sha256] [--check HEX]`: what Chocolatey's `checksum.exe` does, for
/// the checksums an internalized package's scripts declare, and a way to measure the hashing (bench/hash).
struct ChecksumCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checksum",
        abstract: "Print or check the md5, sha1, sha256 or sha512 of files (like Chocolatey's checksum.exe).",
        discussion: """
            Prints '<hex>  <file>' per file, as sha256sum does. With --check, compares instead.
            Exit codes: 0 all hashed (and matched); 1 a file could not be read or did not match; 2 bad input.
            """
    )

    @Argument(help: "Files to hash.")
    var files: [String]

    @Option(name: [.customShort("t"), .customLong("type")], help: "md5, sha1, sha256 or sha512.")
    var type: String = "sha256"

    @Option(name: .customLong("check"), help: "The expected digest in hex (one file only); exit 1 when it differs.")
    var check: String?

    @Option(name: .customLong("format"), help: "text or json.")
    var format: OutputFormat = .text

    struct Result: Encodable {
        var file: String
        var algorithm: String
        var digest: String
        var size: Int64
        var matches: Bool?
    }

    func run() async throws {
        guard let algorithm = DigestAlgorithm(checksumType: type) else {
            throw CommandFailure.badInput("--type '\(type)' is not a checksum type; expected md5, sha1, sha256 or sha512")
        }
        if let check, check.count != algorithm.digestSize * 2 || !check.allSatisfy(\.isHexDigit) {
            throw CommandFailure.badInput("--check '\(check)' is not a \(algorithm) digest: expected \(algorithm.digestSize * 2) hex digits")
        }
        if check != nil, files.count != 1 {
            throw CommandFailure.badInput("--check compares one file; \(files.count) were given")
        }
        var results: [Result] = []
        var failed = false
        for file in files {
            do {
                let (digest, size) = try await Blocking.run { () throws(FileIOError) in try FileIO.digest(algorithm, ofFileAt: file) }
                var result = Result(file: file, algorithm: algorithm.rawValue, digest: digest.hex, size: size)
                if let check {
                    result.matches = digest.matches(hex: check)
                    if result.matches == false {
                        Console.error("\(file): its \(algorithm) is \(digest.hex), expected \(check)")
                        failed = true
                    }
                }
                results.append(result)
                if format == .text { Console.out("\(digest.hex)  \(file)") }
            } catch {
                Console.error(error.description)
                failed = true
            }
        }
        if format == .json { Console.out(try JSONOutput.encode(results)) }
        if failed { throw ExitCodes.problemsFound }
    }
}
