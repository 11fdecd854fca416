/// A NuGet version range, as used in nuspec dependencies, v2 `Dependencies` and v3 `range`.
///
/// `1.0` means ≥ 1.0 (minimum inclusive, not exact); `[1.0]` is exact; `(,2.0)` is below 2.0; an empty
/// string means any version.
public struct VersionRange: Sendable, Hashable {
    /// Lower bound, or `nil` when unbounded below.
    public let minVersion: NuGetVersion?
    public let isMinInclusive: Bool
    /// Upper bound, or `nil` when unbounded above.
    public let maxVersion: NuGetVersion?
    public let isMaxInclusive: Bool
    /// The text as written (trimmed), e.g. `[1.0, 2.0)`; empty for a range built in code that matches all.
    public let originalString: String

    /// The range that contains every version.
    public static let all = VersionRange(min: nil, minInclusive: false, max: nil, maxInclusive: false, original: "")

    /// Creates a range from bounds. Callers are responsible for `min <= max`; use ``init(parsing:)`` for text.
    public init(
        min: NuGetVersion?, minInclusive: Bool = true, max: NuGetVersion? = nil, maxInclusive: Bool = false,
        original: String? = nil
    ) {
        minVersion = min
        isMinInclusive = min == nil ? false : minInclusive
        maxVersion = max
        isMaxInclusive = max == nil ? false : maxInclusive
        originalString = original ?? ""
    }

    /// A range containing exactly one version: `[v]`.
    public static func exactly(_ version: NuGetVersion) -> VersionRange {
        VersionRange(min: version, minInclusive: true, max: version, maxInclusive: true)
    }

    /// A range containing `version` and everything above it: `v` / `[v, )`.
    public static func atLeast(_ version: NuGetVersion) -> VersionRange {
        VersionRange(min: version, minInclusive: true)
    }

    /// True when the range has no bounds.
    public var isAll: Bool { minVersion == nil && maxVersion == nil }

    /// True when the range holds a single version.
    public var isExact: Bool {
        guard let minVersion, let maxVersion else { return false }
        return isMinInclusive && isMaxInclusive && minVersion == maxVersion
    }

    /// Whether `version` lies within the bounds. Prerelease versions are treated like any other version;
    /// callers that want stable-only choices filter first or use ``bestMatch(in:includePrerelease:)``.
    public func contains(_ version: NuGetVersion) -> Bool {
        if let minVersion {
            let order = NuGetVersion.compare(version, minVersion)
            if order < 0 || (order == 0 && !isMinInclusive) { return false }
        }
        if let maxVersion {
            let order = NuGetVersion.compare(version, maxVersion)
            if order > 0 || (order == 0 && !isMaxInclusive) { return false }
        }
        return true
    }

    /// The versions both ranges allow, or `nil` when they have none in common.
    public func intersection(_ other: VersionRange) -> VersionRange? {
        var low = minVersion, lowInclusive = isMinInclusive
        if let otherMin = other.minVersion {
            if let current = low {
                let order = NuGetVersion.compare(otherMin, current)
                if order > 0 { (low, lowInclusive) = (otherMin, other.isMinInclusive) }
                else if order == 0 { lowInclusive = lowInclusive && other.isMinInclusive }
            } else {
                (low, lowInclusive) = (otherMin, other.isMinInclusive)
            }
        }
        var high = maxVersion, highInclusive = isMaxInclusive
        if let otherMax = other.maxVersion {
            if let current = high {
                let order = NuGetVersion.compare(otherMax, current)
                if order < 0 { (high, highInclusive) = (otherMax, other.isMaxInclusive) }
                else if order == 0 { highInclusive = highInclusive && other.isMaxInclusive }
            } else {
                (high, highInclusive) = (otherMax, other.isMaxInclusive)
            }
        }
        if let low, let high {
            let order = NuGetVersion.compare(low, high)
            if order > 0 || (order == 0 && !(lowInclusive && highInclusive)) { return nil }
        }
        return VersionRange(min: low, minInclusive: lowInclusive, max: high, maxInclusive: highInclusive)
    }

    /// The version NuGet would pick for a dependency: the lowest one in range. Prerelease versions are
    /// considered only when `includePrerelease` is true or a bound of the range is itself a prerelease.
    public func bestMatch(in versions: some Sequence<NuGetVersion>, includePrerelease: Bool = false) -> NuGetVersion? {
        candidates(in: versions, includePrerelease: includePrerelease).min()
    }

    /// The highest version in range (the "latest" policy), with the same prerelease rule as ``bestMatch(in:includePrerelease:)``.
    public func newest(in versions: some Sequence<NuGetVersion>, includePrerelease: Bool = false) -> NuGetVersion? {
        candidates(in: versions, includePrerelease: includePrerelease).max()
    }

    private func candidates(in versions: some Sequence<NuGetVersion>, includePrerelease: Bool) -> [NuGetVersion] {
        let allowPrerelease = includePrerelease || (minVersion?.isPrerelease ?? false) || (maxVersion?.isPrerelease ?? false)
        return versions.filter { contains($0) && (allowPrerelease || !$0.isPrerelease) }
    }
}

extension VersionRange: CustomStringConvertible {
    /// NuGet's normalized notation: `[1.0.0, )`, `(, 2.0.0]`, `[1.0.0]`, `(, )` for any.
    public var normalized: String {
        if isExact, let minVersion { return "[\(minVersion.normalized)]" }
        let low = minVersion.map { $0.normalized } ?? ""
        let high = maxVersion.map { $0.normalized } ?? ""
        return (isMinInclusive ? "[" : "(") + low + ", " + high + (isMaxInclusive ? "]" : ")")
    }

    /// A short human reading: `any`, `>= 1.0.0`, `= 1.0.0`, `>= 1.0.0 and < 2.0.0`.
    public var prettyDescription: String {
        if isAll { return "any" }
        if isExact, let minVersion { return "= \(minVersion.normalized)" }
        var parts: [String] = []
        if let minVersion { parts.append((isMinInclusive ? ">= " : "> ") + minVersion.normalized) }
        if let maxVersion { parts.append((isMaxInclusive ? "<= " : "< ") + maxVersion.normalized) }
        return parts.joined(separator: " and ")
    }

    public var description: String { normalized }

    public static func == (lhs: VersionRange, rhs: VersionRange) -> Bool {
        lhs.minVersion == rhs.minVersion && lhs.isMinInclusive == rhs.isMinInclusive
            && lhs.maxVersion == rhs.maxVersion && lhs.isMaxInclusive == rhs.isMaxInclusive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(minVersion)
        hasher.combine(isMinInclusive)
        hasher.combine(maxVersion)
        hasher.combine(isMaxInclusive)
    }
}

extension VersionRange: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try VersionRange(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(normalized)
    }
}
