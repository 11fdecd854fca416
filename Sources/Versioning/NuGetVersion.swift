/// A NuGet package version: SemVer 2.0 plus NuGet's legacy fourth (revision) part.
///
/// Equality and hashing follow NuGet's default comparison: numeric parts compared as numbers
/// (`1.0` == `1.0.0.0`), prerelease labels compared case-insensitively, build metadata ignored.
/// The string the version was parsed from is kept in ``originalString``.
public struct NuGetVersion: Sendable {
    public let major: Int
    public let minor: Int
    public let patch: Int
    /// The legacy fourth part; 0 for SemVer versions.
    public let revision: Int
    /// Dot-separated prerelease identifiers (`["beta", "2"]` for `-beta.2`); empty for a stable version.
    public let releaseLabels: [String]
    /// Build metadata after `+`, or `nil`. Never affects comparison.
    public let metadata: String?
    /// The text as written (outer whitespace trimmed), e.g. `01.0.0.0`.
    public private(set) var originalString: String

    /// Creates a version from its parts. `originalString` defaults to the full normalized form.
    public init(
        major: Int, minor: Int = 0, patch: Int = 0, revision: Int = 0,
        releaseLabels: [String] = [], metadata: String? = nil, originalString: String? = nil
    ) {
        precondition(major >= 0 && minor >= 0 && patch >= 0 && revision >= 0, "version parts must not be negative")
        self.major = major
        self.minor = minor
        self.patch = patch
        self.revision = revision
        self.releaseLabels = releaseLabels
        self.metadata = (metadata?.isEmpty ?? true) ? nil : metadata
        self.originalString = originalString ?? ""
        if originalString == nil { self.originalString = fullString }
    }

    /// True when the version carries prerelease labels.
    public var isPrerelease: Bool { !releaseLabels.isEmpty }

    /// True when the version uses SemVer 2.0 features (dotted labels or metadata) that NuGet 2.x clients cannot read.
    public var isSemVer2: Bool { releaseLabels.count > 1 || metadata != nil }

    /// The prerelease part as written after `-`, e.g. `beta.2`; empty when stable.
    public var release: String { releaseLabels.joined(separator: ".") }

    /// NuGet's normalized form: `Major.Minor.Patch[.Revision if > 0][-labels]`, metadata dropped,
    /// leading zeros gone. `01.0.0.0` → `1.0.0`; `1.0.01.0` → `1.0.1`; `1.0.0.1` → `1.0.0.1`.
    public var normalized: String {
        var text = "\(major).\(minor).\(patch)"
        if revision > 0 { text += ".\(revision)" }
        if isPrerelease { text += "-" + release }
        return text
    }

    /// The normalized form plus `+metadata` when present.
    public var fullString: String {
        guard let metadata else { return normalized }
        return normalized + "+" + metadata
    }

    /// The version with prerelease labels and metadata removed.
    public var stable: NuGetVersion {
        NuGetVersion(major: major, minor: minor, patch: patch, revision: revision)
    }
}

extension NuGetVersion: CustomStringConvertible {
    /// The normalized form (see ``normalized``).
    public var description: String { normalized }
}

extension NuGetVersion: Codable {
    /// Decodes from a single version string (lenient parsing).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try NuGetVersion(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    /// Encodes as the normalized string with metadata.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fullString)
    }
}
