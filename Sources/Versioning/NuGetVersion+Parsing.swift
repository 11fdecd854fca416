extension NuGetVersion {
    /// How strictly a version string is read.
    public enum ParsingMode: Sendable {
        /// NuGet's `TryParse`: 1 to 4 numeric parts, leading zeros allowed in them (as real packages carry
        /// `01.0.0.0`), outer whitespace trimmed.
        case lenient
        /// SemVer 2.0 (NuGet's `TryParseStrict`): exactly three numeric parts, no leading zeros.
        case strict
    }

    /// Parses a version, throwing ``VersioningError/invalidVersion(input:reason:)`` with the rule it breaks.
    public init(parsing text: String, mode: ParsingMode = .lenient) throws(VersioningError) {
        let trimmed = text.trimmingASCIIWhitespace()
        func fail(_ reason: String) -> VersioningError { .invalidVersion(input: text, reason: reason) }
        guard !trimmed.isEmpty else { throw fail("it is empty; expected Major[.Minor[.Patch[.Revision]]][-label][+metadata]") }

        var rest = Substring(trimmed)
        var metadata: String?
        if let plus = rest.firstIndex(of: "+") {
            let meta = rest[rest.index(after: plus)...]
            guard Self.isValidDottedIdentifiers(meta, allowLeadingZeros: true) else {
                throw fail("build metadata '\(meta)' must be dot-separated, non-empty identifiers of [0-9A-Za-z-]")
            }
            metadata = String(meta)
            rest = rest[..<plus]
        }
        var labels: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let label = rest[rest.index(after: dash)...]
            guard Self.isValidDottedIdentifiers(label, allowLeadingZeros: false) else {
                throw fail("prerelease label '\(label)' must be dot-separated, non-empty identifiers of [0-9A-Za-z-] without leading zeros in numeric ones")
            }
            labels = label.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<dash]
        }

        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        switch mode {
        case .lenient:
            guard (1...4).contains(parts.count) else {
                throw fail("expected 1 to 4 numeric parts, found \(parts.count)")
            }
        case .strict:
            guard parts.count == 3 else {
                throw fail("strict SemVer 2.0 needs exactly 3 numeric parts (Major.Minor.Patch), found \(parts.count)")
            }
        }
        var numbers: [Int] = []
        numbers.reserveCapacity(4)
        for (index, part) in parts.enumerated() {
            let name = ["major", "minor", "patch", "revision"][index]
            guard !part.isEmpty else { throw fail("the \(name) part is empty") }
            // Accumulated from the bytes (hot in folder scans); leading zeros simply add nothing.
            var value = 0
            for byte in part.utf8 {
                guard byte >= 0x30 && byte <= 0x39 else { throw fail("the \(name) part '\(part)' is not a non-negative integer") }
                value = value * 10 + Int(byte - 0x30)
                if value > Int(Int32.max) { throw fail("the \(name) part '\(part)' is larger than \(Int32.max)") }
            }
            if mode == .strict, part.utf8.count > 1, part.utf8.first == 0x30 {
                throw fail("the \(name) part '\(part)' has a leading zero, which strict SemVer 2.0 forbids")
            }
            numbers.append(value)
        }
        while numbers.count < 4 { numbers.append(0) }
        self.init(
            major: numbers[0], minor: numbers[1], patch: numbers[2], revision: numbers[3],
            releaseLabels: labels, metadata: metadata, originalString: trimmed
        )
    }

    /// Parses leniently, or returns `nil`.
    public init?(_ text: String) {
        guard let version = try? NuGetVersion(parsing: text) else { return nil }
        self = version
    }

    /// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty; numeric ones without leading zeros
    /// unless allowed (build metadata allows them, prerelease labels do not).
    static func isValidDottedIdentifiers(_ text: Substring, allowLeadingZeros: Bool) -> Bool {
        guard !text.isEmpty else { return false }
        for identifier in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !identifier.isEmpty else { return false }
            var allDigits = true
            for byte in identifier.utf8 {
                let isDigit = byte >= 0x30 && byte <= 0x39
                let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                guard isDigit || isLetter || byte == 0x2D else { return false }
                if !isDigit { allDigits = false }
            }
            if allDigits, !allowLeadingZeros, identifier.count > 1, identifier.first == "0" { return false }
        }
        return true
    }
}

extension String {
    /// The string without leading and trailing ASCII whitespace (space, tab, CR, LF).
    func trimmingASCIIWhitespace() -> String {
        // Works on UTF-8 bytes: grapheme-by-grapheme trimming showed up in profiles of folder scans.
        let bytes = utf8
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex && bytes.index(after: last) == bytes.endIndex { return self }
        return String(self[first...last])
    }
}
