import JSONOutput

/// Why a package could not be internalized; each case names the file or URL and what was expected.
public enum EmbeddingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A span from the finder does not fit the file (the report is stale or for another package).
    case badSpan(file: String, reason: String)
    /// A resource in the report has no verified local file.
    case missingResource(url: String)
    /// The package could not be read, extracted or written.
    case package(path: String, reason: String)
    /// The report names another package.
    case wrongPackage(expected: String, actual: String)
    /// A resource needs a checksum inserted but the call offers no place for it.
    case cannotInsertChecksum(location: String, url: String)

    public var description: String {
        switch self {
        case let .badSpan(file, reason): return "\(file): \(reason)"
        case let .missingResource(url): return "no verified local file for \(url)"
        case let .package(path, reason): return "\(path): \(reason)"
        case let .wrongPackage(expected, actual): return "the resource report is for \(actual), the package is \(expected)"
        case let .cannotInsertChecksum(location, url):
            return "\(location): \(url) has no checksum and the call has no place where one can be added statically"
        }
    }
}

/// The record of an internalization, stored in the package at ``EmbeddingRecord/path`` and listed in the
/// summary: every URL replaced, by what, with which checksum. Deterministic (no timestamps), in the JSONOutput
/// style, so the same input repacks to the same bytes.
public struct EmbeddingRecord: Sendable, Hashable, Codable {
    /// Where the record sits inside the package (bundles read it from here).
    public static let path = "tools/ccm-upgrade-internalized.json"

    public struct Resource: Sendable, Hashable, Codable {
        /// The URL the script downloaded.
        public var url: String
        /// What the script uses now: a path inside the package (`tools/x.exe`) or the resources location.
        public var replacement: String
        public var embeddedFile: String?
        public var architecture: RemoteResource.Architecture
        public var helper: String
        /// `file:line` of the call.
        public var call: String
        /// The checksum the install verifies, and where it came from: `script` (declared, and matched by the
        /// download) or `computed` (the script had none; the user allowed it and this one was inserted).
        public var checksum: String
        public var checksumType: ChecksumType
        public var checksumSource: String
        /// The file's SHA-512 (hex), as bundle manifests list files.
        public var sha512: String
        public var size: Int64
    }

    public struct Script: Sendable, Hashable, Codable {
        public var file: String
        public var edits: Int
        public var signatureRemoved: Bool
    }

    public var format = 1
    public var id: String
    public var version: String
    /// `embedded` (files inside the package) or `location` (on a share or web location, see `location`).
    public var placement: String
    public var location: String?
    public var resources: [Resource]
    public var scripts: [Script]
    /// Entries of the original package left out (a NuGet signature no longer matches a changed package).
    public var removedEntries: [String]

    public var json: [UInt8] { ((try? JSONOutput.encodeBytes(self)) ?? Array("{}".utf8)) + [0x0A] }
}
