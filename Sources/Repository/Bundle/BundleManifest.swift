import Foundation
import Internalization
import JSONOutput
import Nupkg
import Versioning

/// The manifest of a bundle: the first entry of the archive (``BundleManifest/entryName``), listing every other
/// entry with its size and SHA-512, and for each package where it came from and what was embedded in it.
/// A bundle whose entries differ from this list in any way is refused.
public struct BundleManifest: Sendable, Hashable, Codable {
    /// The archive entry that holds the manifest (always the first).
    public static let entryName = "ccm-upgrade-bundle.json"
    /// Where the plan is stored when the bundle was made from one.
    public static let planEntryName = "plan.json"
    /// The manifest format this build reads and writes.
    public static let currentFormat = 1
    /// Largest manifest accepted (a manifest of thousands of packages is well below).
    public static let sizeLimit: Int64 = 16 << 20

    /// An entry of the bundle: its path inside the archive, size and SHA-512 (lower-case hex, as `sha512sum`).
    public struct FileRecord: Sendable, Hashable, Codable {
        public var path: String
        public var size: Int64
        public var sha512: String

        public init(path: String, size: Int64, sha512: String) {
            self.path = path
            self.size = size
            self.sha512 = sha512
        }
    }

    /// One embedded resource, as the package's ``EmbeddingRecord`` (at ``EmbeddingRecord/path``) lists it.
    public struct EmbeddedResource: Sendable, Hashable, Codable {
        /// The URL the original script downloaded.
        public var url: String
        /// What the script uses instead (a path inside the package, or the resources location).
        public var replacement: String?
        public var checksum: String?
        public var checksumType: String?
        /// The embedded file's SHA-512 (hex) and size.
        public var sha512: String?
        public var size: Int64?

        /// The manifest's entry for a resource of the package's internalization record.
        public init(_ resource: EmbeddingRecord.Resource) {
            url = resource.url
            replacement = resource.replacement
            checksum = resource.checksum
            checksumType = resource.checksumType.rawValue
            sha512 = resource.sha512
            size = resource.size
        }
    }

    public struct Package: Sendable, Hashable, Codable {
        public var id: String
        /// Normalized version.
        public var version: String
        /// The source the package was internalized from (a config name or location).
        public var source: String
        public var file: FileRecord
        /// What internalizing embedded (from the package's own record); empty when the package was copied as it is.
        public var embedded: [EmbeddedResource]

        public init(id: String, version: String, source: String, file: FileRecord, embedded: [EmbeddedResource] = []) {
            self.id = id
            self.version = version
            self.source = source
            self.file = file
            self.embedded = embedded
        }
    }

    public var format: Int = BundleManifest.currentFormat
    /// `ccm-upgrade <version>` that made the bundle.
    public var tool: String
    /// The compatibility matrix the tool carried (its version or content digest), when known.
    public var matrix: String?
    public var created: Date
    public var packages: [Package]
    /// The upgrade plan the bundle was made for, when one was given (stored as ``planEntryName``).
    public var plan: FileRecord?

    public init(tool: String, matrix: String?, created: Date, packages: [Package], plan: FileRecord?) {
        self.tool = tool
        self.matrix = matrix
        self.created = created
        self.packages = packages
        self.plan = plan
    }

    /// Every entry the archive must hold besides the manifest, by path.
    public var files: [FileRecord] { packages.map(\.file) + (plan.map { [$0] } ?? []) }

    /// The manifest's bytes as stored in the bundle.
    public func encoded() throws(BundleError) -> [UInt8] {
        do { return try JSONOutput.encodeBytes(self) + [0x0A] } catch {
            throw .io(path: Self.entryName, reason: "cannot encode the manifest: \(error)")
        }
    }

    /// Reads and checks a manifest: format, paths (one folder level, no traversal), hashes' shape, versions,
    /// no path listed twice.
    public static func decode(_ bytes: [UInt8], bundle: String) throws(BundleError) -> BundleManifest {
        let manifest: BundleManifest
        do {
            manifest = try JSONOutput.decoder.decode(BundleManifest.self, from: Data(bytes))
        } catch {
            throw .rejected(bundle: bundle, file: entryName, reason: "not a bundle manifest: \(Self.describe(error))")
        }
        guard manifest.format == currentFormat else {
            throw .rejected(bundle: bundle, file: entryName, reason: "manifest format \(manifest.format); this ccm-upgrade reads format \(currentFormat)")
        }
        var seen: Set<String> = []
        for package in manifest.packages {
            let location = "packages[\(package.id) \(package.version)]"
            guard PackageIdentity.isValidId(package.id), (try? NuGetVersion(parsing: package.version)) != nil else {
                throw .rejected(bundle: bundle, file: entryName, reason: "\(location): not a valid package id and version")
            }
            guard package.file.path.hasPrefix("packages/"), package.file.path.hasSuffix(".nupkg") else {
                throw .rejected(bundle: bundle, file: entryName, reason: "\(location).file.path '\(package.file.path)': expected packages/<name>.nupkg")
            }
        }
        if let plan = manifest.plan, plan.path != planEntryName {
            throw .rejected(bundle: bundle, file: entryName, reason: "plan.path '\(plan.path)': expected '\(planEntryName)'")
        }
        for file in manifest.files {
            guard isSafeEntryPath(file.path) else {
                throw .rejected(bundle: bundle, file: entryName, reason: "'\(file.path)' is not a plain relative path")
            }
            guard file.size >= 0, file.sha512.utf8.count == 128, file.sha512.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw .rejected(bundle: bundle, file: entryName, reason: "'\(file.path)': size and sha512 (128 lower-case hex digits) expected")
            }
            guard seen.insert(file.path.lowercased()).inserted else {
                throw .rejected(bundle: bundle, file: entryName, reason: "'\(file.path)' is listed twice")
            }
        }
        return manifest
    }

    /// At most one folder level, no empty, `.` or `..` part, no backslash or NUL: what the bundle writer produces.
    static func isSafeEntryPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !path.contains("\\"), !path.contains("\0") else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? "invalid JSON" : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
