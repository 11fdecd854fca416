extension NuGetVersion: Comparable, Hashable {
    /// NuGet's default order: numeric parts, then stable above prerelease, then labels identifier by
    /// identifier (numeric below alphanumeric, alphanumeric ordinal case-insensitive, a prefix list lower).
    /// Build metadata is ignored.
    public static func < (lhs: NuGetVersion, rhs: NuGetVersion) -> Bool {
        compare(lhs, rhs) < 0
    }

    public static func == (lhs: NuGetVersion, rhs: NuGetVersion) -> Bool {
        compare(lhs, rhs) == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(revision)
        for label in releaseLabels { hasher.combine(label.lowercased()) }
    }

    /// Three-way comparison: negative, zero or positive.
    public static func compare(_ lhs: NuGetVersion, _ rhs: NuGetVersion) -> Int {
        for (left, right) in [(lhs.major, rhs.major), (lhs.minor, rhs.minor), (lhs.patch, rhs.patch), (lhs.revision, rhs.revision)]
        where left != right {
            return left < right ? -1 : 1
        }
        switch (lhs.isPrerelease, rhs.isPrerelease) {
        case (false, false): return 0
        case (false, true): return 1
        case (true, false): return -1
        case (true, true): break
        }
        for (left, right) in zip(lhs.releaseLabels, rhs.releaseLabels) {
            let result = compareIdentifiers(left, right)
            if result != 0 { return result }
        }
        return lhs.releaseLabels.count == rhs.releaseLabels.count ? 0 : (lhs.releaseLabels.count < rhs.releaseLabels.count ? -1 : 1)
    }

    private static func compareIdentifiers(_ left: String, _ right: String) -> Int {
        let leftNumber = UInt64(left)
        let rightNumber = UInt64(right)
        switch (leftNumber, rightNumber) {
        case let (l?, r?): return l == r ? 0 : (l < r ? -1 : 1)
        case (.some, nil): return -1
        case (nil, .some): return 1
        case (nil, nil):
            // Ordinal, case-insensitive (NuGet uses StringComparer.OrdinalIgnoreCase).
            let l = Array(left.uppercased().utf8), r = Array(right.uppercased().utf8)
            return l.lexicographicallyPrecedes(r) ? -1 : (l == r ? 0 : 1)
        }
    }
}
