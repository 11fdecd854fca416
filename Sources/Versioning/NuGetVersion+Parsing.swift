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
        var trimmed = text.trimmingASCIIWhitespace()
        // One pass over the UTF-8 bytes with no intermediate arrays: versions are parsed for every
        // dependency of every package in a folder scan, and splitting into substrings dominated that.
        let scan = trimmed.withUTF8 { Self.scan($0, mode: mode) }
        switch scan {
        case let .failure(reason):
            throw .invalidVersion(input: text, reason: reason)
        case let .success(parts, labels, metadata):
            self.init(major: parts.0, minor: parts.1, patch: parts.2, revision: parts.3,
                      releaseLabels: labels, metadata: metadata, originalString: trimmed)
        }
    }

    private enum Scan {
        case success(parts: (Int, Int, Int, Int), labels: [String], metadata: String?)
        case failure(String)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, mode: ParsingMode) -> Scan {
        func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        guard !bytes.isEmpty else { return .failure("it is empty; expected Major[.Minor[.Patch[.Revision]]][-label][+metadata]") }

        var end = bytes.count
        var metadata: String?
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) {
            let meta = (plus + 1)..<end
            guard isValidDottedIdentifiers(UnsafeBufferPointer(rebasing: bytes[meta]), allowLeadingZeros: true) else {
                return .failure("build metadata '\(text(meta))' must be dot-separated, non-empty identifiers of [0-9A-Za-z-]")
            }
            metadata = text(meta)
            end = plus
        }
        var labels: [String] = []
        if let dash = bytes[..<end].firstIndex(of: UInt8(ascii: "-")) {
            let label = (dash + 1)..<end
            guard isValidDottedIdentifiers(UnsafeBufferPointer(rebasing: bytes[label]), allowLeadingZeros: false) else {
                return .failure("prerelease label '\(text(label))' must be dot-separated, non-empty identifiers of [0-9A-Za-z-] without leading zeros in numeric ones")
            }
            var start = label.lowerBound
            for index in label where bytes[index] == UInt8(ascii: ".") {
                labels.append(text(start..<index))
                start = index + 1
            }
            labels.append(text(start..<end))
            end = dash
        }

        let count = bytes[..<end].reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 }
        switch mode {
        case .lenient:
            guard (1...4).contains(count) else { return .failure("expected 1 to 4 numeric parts, found \(count)") }
        case .strict:
            guard count == 3 else {
                return .failure("strict SemVer 2.0 needs exactly 3 numeric parts (Major.Minor.Patch), found \(count)")
            }
        }
        var numbers = (0, 0, 0, 0)
        var partStart = 0
        for part in 0..<count {
            var partEnd = partStart
            while partEnd < end && bytes[partEnd] != UInt8(ascii: ".") { partEnd += 1 }
            let name = part == 0 ? "major" : part == 1 ? "minor" : part == 2 ? "patch" : "revision"
            // NuGet reads the numeric parts with System.Version, which allows spaces around each number:
            // "   19.   19" is 19.19.0.0. Strict SemVer does not.
            var digitsStart = partStart, digitsEnd = partEnd
            if mode == .lenient {
                while digitsStart < digitsEnd, bytes[digitsStart] == 0x20 || bytes[digitsStart] == 0x09 { digitsStart += 1 }
                while digitsEnd > digitsStart, bytes[digitsEnd - 1] == 0x20 || bytes[digitsEnd - 1] == 0x09 { digitsEnd -= 1 }
            }
            guard digitsEnd > digitsStart else { return .failure("the \(name) part is empty") }
            var value = 0
            for index in digitsStart..<digitsEnd {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else {
                    return .failure("the \(name) part '\(text(partStart..<partEnd))' is not a non-negative integer")
                }
                value = value * 10 + Int(byte - 0x30)
                if value > Int(Int32.max) {
                    return .failure("the \(name) part '\(text(partStart..<partEnd))' is larger than \(Int32.max)")
                }
            }
            if mode == .strict, partEnd - partStart > 1, bytes[partStart] == 0x30 {
                return .failure("the \(name) part '\(text(partStart..<partEnd))' has a leading zero, which strict SemVer 2.0 forbids")
            }
            switch part {
            case 0: numbers.0 = value
            case 1: numbers.1 = value
            case 2: numbers.2 = value
            default: numbers.3 = value
            }
            partStart = partEnd + 1
        }
        return .success(parts: numbers, labels: labels, metadata: metadata)
    }

    /// Parses leniently, or returns `nil`.
    public init?(_ text: String) {
        guard let version = try? NuGetVersion(parsing: text) else { return nil }
        self = version
    }

    /// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty; numeric ones without leading zeros
    /// unless allowed (build metadata allows them, prerelease labels do not).
    static func isValidDottedIdentifiers(_ bytes: UnsafeBufferPointer<UInt8>, allowLeadingZeros: Bool) -> Bool {
        guard !bytes.isEmpty else { return false }
        var start = 0
        while start <= bytes.count {
            var end = start
            var allDigits = true
            while end < bytes.count && bytes[end] != UInt8(ascii: ".") {
                let byte = bytes[end]
                let isDigit = byte >= 0x30 && byte <= 0x39
                let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                guard isDigit || isLetter || byte == 0x2D else { return false }
                if !isDigit { allDigits = false }
                end += 1
            }
            guard end > start else { return false }
            if allDigits, !allowLeadingZeros, end - start > 1, bytes[start] == 0x30 { return false }
            start = end + 1
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
