import Foundation
import Nupkg
import Versioning

/// A package version as a feed describes it.
public struct RemotePackage: Sendable, Hashable, Codable, CustomStringConvertible {
    public var id: String
    public var version: NuGetVersion
    /// Where the .nupkg can be downloaded (absolute URL, or a file path for folder feeds).
    public var downloadURL: String?
    /// The feed's base64 SHA-512 of the package bytes, when it publishes one (minchoc sends it empty).
    public var packageHash: String?
    public var packageHashAlgorithm: String?
    public var packageSize: Int64?
    public var dependencies: [FeedDependency]
    /// False for unlisted packages (v2 `Published` year 1900, v3 `listed: false`, ProGet `Listed`).
    public var isListed: Bool

    public init(id: String, version: NuGetVersion, downloadURL: String? = nil, packageHash: String? = nil,
                packageHashAlgorithm: String? = nil, packageSize: Int64? = nil, dependencies: [FeedDependency] = [],
                isListed: Bool = true) {
        self.id = id
        self.version = version
        self.downloadURL = downloadURL
        self.packageHash = packageHash
        self.packageHashAlgorithm = packageHashAlgorithm
        self.packageSize = packageSize
        self.dependencies = dependencies
        self.isListed = isListed
    }

    public var identity: PackageIdentity { PackageIdentity(id: id, version: version) }
    public var description: String { "\(id) \(version.normalized)" }

    /// The published SHA-512 in base64, when there is a usable one (algorithm SHA512 or unspecified).
    public var sha512: String? {
        guard let packageHash, !packageHash.isEmpty else { return nil }
        if let algorithm = packageHashAlgorithm, !algorithm.isEmpty, algorithm.uppercased() != "SHA512" { return nil }
        return packageHash
    }
}

/// One dependency of a package as the feed lists it.
public struct FeedDependency: Sendable, Hashable, Codable, CustomStringConvertible {
    public var id: String
    public var range: VersionRange
    /// The target framework short name, or nil for any.
    public var targetFramework: String?

    public init(id: String, range: VersionRange = .all, targetFramework: String? = nil) {
        self.id = id
        self.range = range
        self.targetFramework = targetFramework
    }

    public var description: String {
        "\(id) \(range.isAll ? "(any)" : range.normalized)" + (targetFramework.map { " [\($0)]" } ?? "")
    }
}

extension RemotePackage {
    /// Throws unless the id is a valid NuGet id, so that `identity.fileName` stays one plain file name. Feeds
    /// supply ids (a dependency id `../../x/pwn` once wrote outside the work folder); versions are parsed
    /// ``NuGetVersion`` values whose normalized text has only letters, digits, dots and hyphens.
    public func checkUsableAsFileName(feed: String) throws(FeedError) {
        guard PackageIdentity.isValidId(id) else {
            throw .invalidResponse(url: downloadURL ?? feed, field: "id",
                                   expected: "a NuGet package id (letters, digits, '.', '-', '_'; at most 100 characters), got '\(id)'")
        }
    }
}
