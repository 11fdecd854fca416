/// Windows paths and strings as the evaluator computes them (no Foundation in this module).
extension Evaluator {
    static func parent(_ path: String) -> String {
        let trimmed = path.hasSuffix("\\") || path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let separator = trimmed.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return "" }
        return String(trimmed[..<separator])
    }

    static func leaf(_ path: String) -> String {
        let trimmed = path.hasSuffix("\\") || path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let separator = trimmed.lastIndex(where: { $0 == "\\" || $0 == "/" }) else { return trimmed }
        return String(trimmed[trimmed.index(after: separator)...])
    }

    static func join(_ base: String, _ child: String) -> String {
        if base.isEmpty { return child }
        var left = base
        while left.hasSuffix("\\") || left.hasSuffix("/") { left.removeLast() }
        var right = Substring(child)
        while right.hasPrefix("\\") || right.hasPrefix("/") { right.removeFirst() }
        return left + "\\" + right
    }
}

extension String {
    var replacingSlashes: String { String(map { $0 == "/" ? "\\" : $0 }) }

    var trimmingWhitespace: String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }

    /// Every occurrence of `target` replaced (no Foundation in this module).
    func replacingAll(_ target: String, with replacement: String, ignoringCase: Bool = false) -> String {
        guard !target.isEmpty else { return self }
        let haystack = Array(self), needle = Array(ignoringCase ? target.lowercased() : target)
        let folded = ignoringCase ? Array(lowercased()) : haystack
        guard folded.count == haystack.count else { return self }
        var output = ""
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count, Array(folded[index..<index + needle.count]) == needle {
                output += replacement
                index += needle.count
            } else {
                output.append(haystack[index])
                index += 1
            }
        }
        return output
    }
}
