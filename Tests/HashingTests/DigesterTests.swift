import Hashing
import Testing

/// Known answers (FIPS 180-2 / RFC 1321 test vectors: "abc", the empty string, one million 'a'), checked through
/// both implementations, streamed and in one call.
struct DigesterTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let algorithm: DigestAlgorithm
        let input: [UInt8]
        let hex: String
        var testDescription: String { "\(algorithm) of \(input.count) bytes" }
    }

    static let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    static let abc = Array("abc".utf8)

    static let vectors: [Vector] = [
        Vector(algorithm: .md5, input: abc, hex: "900150983cd24fb0d6963f7d28e17f72"),
        Vector(algorithm: .md5, input: [], hex: "d41d8cd98f00b204e9800998ecf8427e"),
        Vector(algorithm: .md5, input: million, hex: "7707d6ae4e027c70eea2a935c2296f21"),
        Vector(algorithm: .sha1, input: abc, hex: "a9993e364706816aba3e25717850c26c9cd0d89d"),
        Vector(algorithm: .sha1, input: [], hex: "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        Vector(algorithm: .sha1, input: million, hex: "34aa973cd4c4daa4f61eeb2bdbad27316534016f"),
        Vector(algorithm: .sha256, input: abc, hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        Vector(algorithm: .sha256, input: [], hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Vector(algorithm: .sha256, input: million, hex: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
        Vector(algorithm: .sha512, input: abc,
               hex: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        Vector(algorithm: .sha512, input: [],
               hex: "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        Vector(algorithm: .sha512, input: million,
               hex: "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"),
    ]

    @Test(arguments: vectors, HashImplementation.allCases)
    func knownAnswerInOneCall(vector: Vector, implementation: HashImplementation) {
        let digest = Digester.digest(vector.algorithm, of: vector.input, implementation: implementation)
        #expect(digest.hex == vector.hex)
        #expect(digest.bytes.count == vector.algorithm.digestSize)
        #expect(digest.matches(hex: " " + vector.hex.uppercased() + "\r\n"))
    }

    /// Pieces of awkward sizes (1 byte, a block minus one, across block boundaries) give the one-call digest.
    @Test(arguments: vectors.filter { $0.input.count > 100 }, HashImplementation.allCases)
    func streamingEqualsOneCall(vector: Vector, implementation: HashImplementation) throws {
        let digester = Digester(vector.algorithm, implementation: implementation)
        let sizes = [1, 63, 64, 65, 127, 128, 129, 4095, 65_537]
        var offset = 0
        var index = 0
        while offset < vector.input.count {
            let end = min(vector.input.count, offset + sizes[index % sizes.count])
            vector.input[offset..<end].withUnsafeBytes { digester.update($0) }
            offset = end
            index += 1
        }
        #expect(try digester.finalize().hex == vector.hex)
    }

    /// Both implementations agree on bytes that are not a pattern, for every algorithm.
    @Test(arguments: DigestAlgorithm.allCases)
    func implementationsAgree(algorithm: DigestAlgorithm) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 // xorshift: varied bytes, cheap in a debug build
        let bytes = (0..<(3 << 20) + 17).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        let fast = Digester.digest(algorithm, of: bytes, implementation: .libcrypto)
        let fallback = Digester.digest(algorithm, of: bytes, implementation: .swiftCrypto)
        #expect(fast == fallback)
    }

    /// Asking for swift-crypto gets swift-crypto (the fallback path when libcrypto is absent); asking for
    /// libcrypto on this machine (libssl3 is installed by scripts/setup.sh) gets libcrypto.
    @Test func implementationChoice() {
        #expect(Digester(.sha512, implementation: .swiftCrypto).implementation == .swiftCrypto)
        if HashImplementation.forced == nil {
            #expect(Digester(.sha512, implementation: .libcrypto).implementation == .libcrypto)
            // Size unknown: a download or a stream may be large.
            #expect(Digester(.sha512).implementation == .libcrypto)
            #expect(Digester(.sha256, expectedSize: 1 << 30).implementation == .libcrypto)
        }
    }

    @Test(arguments: [("SHA256", DigestAlgorithm.sha256), ("sha-512", .sha512), ("MD5", .md5), ("sha1", .sha1)])
    func checksumTypes(text: String, algorithm: DigestAlgorithm) {
        #expect(DigestAlgorithm(checksumType: text) == algorithm)
    }

    @Test func unknownChecksumTypeIsNil() {
        #expect(DigestAlgorithm(checksumType: "crc32") == nil)
        #expect(DigestAlgorithm(checksumType: "") == nil)
    }

    @Test func matchesRejectsOtherLengthsAndText() {
        let digest = Digester.digest(.sha256, of: Self.abc)
        #expect(!digest.matches(hex: String(digest.hex.dropLast())))
        #expect(!digest.matches(hex: digest.hex + "0"))
        #expect(!digest.matches(hex: ""))
        #expect(!digest.matches(hex: String(repeating: "z", count: 64)))
    }
}
