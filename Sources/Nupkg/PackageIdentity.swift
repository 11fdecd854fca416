import Versioning

/// A package id and version: what feeds index and what a plan pins.
public struct PackageIdentity: Sendable, Hashable, Codable, CustomStringConvertible {
    public let id: String
    public let version: NuGetVersion

    public init(id: String, version: NuGetVersion) {
        self.id = id
        self.version = version
    }

    /// `id version` with the normalized version.
    public var description: String { "\(id) \(version.normalized)" }

    /// The conventional file name `id.normalizedversion.nupkg`.
    public var fileName: String { "\(id).\(version.normalized).nupkg" }

    /// Ids compare case-insensitively, as NuGet and Chocolatey treat them.
    public static func == (lhs: PackageIdentity, rhs: PackageIdentity) -> Bool {
        lhs.id.lowercased() == rhs.id.lowercased() && lhs.version == rhs.version
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id.lowercased())
        hasher.combine(version)
    }

    /// NuGet's id rule: `\w+([_.-]\w+)*` up to 100 characters (ASCII letters and digits for `\w`).
    public static func isValidId(_ id: String) -> Bool {
        guard !id.isEmpty, id.count <= 100 else { return false }
        var previousWasSeparator = true
        for byte in id.utf8 {
            let isWord = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let isSeparator = byte == 0x2E || byte == 0x2D
            if isWord {
                previousWasSeparator = false
            } else if isSeparator {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !previousWasSeparator
    }
}
