extension VersionRange {
    /// Parses NuGet range notation as NuGet's `VersionRange.TryParse` does; a bare version means "at least".
    ///
    /// Rejects empty text (a nuspec's missing or empty dependency version means "any", but that is the
    /// reader's rule, not the range syntax's), `(1.0)`, `(1.0]`, `[1.0)`, exactly `(,)` and `[,]`, more than
    /// two parts, min above max, equal bounds with one side exclusive (`(1.0,1.0]`), and floating ranges
    /// (`1.*`), which nuspec dependencies do not support. Accepted like NuGet: `(, )` and `[, ]` (any
    /// version) and `(1.0,1.0)` (valid, satisfied by nothing). The original text is kept as given.
    public init(parsing text: String) throws(VersioningError) {
        let trimmed = text.trimmingASCIIWhitespace()
        func fail(_ reason: String) -> VersioningError { .invalidRange(input: text, reason: reason) }
        if trimmed.isEmpty {
            throw fail("it is empty; expected a version (at least) or a range such as [1.0,2.0)")
        }
        if trimmed.utf8.contains(UInt8(ascii: "*")) {
            throw fail("floating ranges ('*') are for restore only and not allowed in package dependencies")
        }
        let bytes = trimmed.utf8
        let first = bytes.first!
        guard first == UInt8(ascii: "[") || first == UInt8(ascii: "(") else {
            let version: NuGetVersion
            do { version = try NuGetVersion(parsing: trimmed) } catch {
                throw fail("a bare version means 'at least', and '\(trimmed)' is not a version (\(error.reasonText))")
            }
            self.init(min: version, minInclusive: true, original: text)
            return
        }
        let opening = first == UInt8(ascii: "[") ? "[" : "("
        guard let last = bytes.last, last == UInt8(ascii: "]") || last == UInt8(ascii: ")"), bytes.count >= 2 else {
            throw fail("a range that opens with '\(opening)' must close with ']' or ')'")
        }
        let minInclusive = first == UInt8(ascii: "[")
        let maxInclusive = last == UInt8(ascii: "]")
        // Split the inside on commas by bytes (the brackets and commas are ASCII).
        var parts: [String] = []
        var partStart = bytes.index(after: bytes.startIndex)
        let innerEnd = bytes.index(before: bytes.endIndex)
        var cursor = partStart
        while cursor < innerEnd {
            if bytes[cursor] == UInt8(ascii: ",") {
                parts.append(String(decoding: bytes[partStart..<cursor], as: UTF8.self).trimmingASCIIWhitespace())
                partStart = bytes.index(after: cursor)
            }
            cursor = bytes.index(after: cursor)
        }
        parts.append(String(decoding: bytes[partStart..<innerEnd], as: UTF8.self).trimmingASCIIWhitespace())
        func version(_ part: String, _ which: String) throws(VersioningError) -> NuGetVersion? {
            if part.isEmpty { return nil }
            do { return try NuGetVersion(parsing: part) } catch {
                throw fail("the \(which) bound '\(part)' is not a version (\(error.reasonText))")
            }
        }
        switch parts.count {
        case 1:
            guard minInclusive && maxInclusive else {
                throw fail("a single version in brackets must be exact, written '[\(parts[0])]'")
            }
            guard let exact = try version(parts[0], "exact") else { throw fail("the brackets are empty") }
            self.init(min: exact, minInclusive: true, max: exact, maxInclusive: true, original: text)
        case 2:
            // NuGet refuses these two spellings literally; with a space inside, `(, )` means any version.
            if trimmed == "(,)" || trimmed == "[,]" { throw fail("'\(trimmed)' has no bounds; write '(, )' or leave the dependency's version out to allow any version") }
            let low = try version(parts[0], "lower")
            let high = try version(parts[1], "upper")
            if let low, let high {
                let order = NuGetVersion.compare(low, high)
                if order > 0 { throw fail("the lower bound \(low) is above the upper bound \(high)") }
                // NuGet: equal bounds must be both inclusive (exact) or both exclusive (valid, matches nothing).
                if order == 0 && minInclusive != maxInclusive {
                    throw fail("equal bounds with one side exclusive; write '[\(parts[0])]' for exactly that version")
                }
            }
            self.init(min: low, minInclusive: minInclusive, max: high, maxInclusive: maxInclusive, original: text)
        default:
            throw fail("expected at most two comma-separated bounds, found \(parts.count)")
        }
    }
}

extension VersioningError {
    /// The reason alone, for nesting one error inside another's message.
    public var reasonText: String {
        switch self {
        case let .invalidVersion(_, reason), let .invalidRange(_, reason): return reason
        }
    }
}
