/// "Did you mean …?" for names a user typed: subcommands, group selectors, host names.
public enum Suggestion {
    /// The candidate closest to `input` (case-insensitive edit distance, transpositions counting once), if
    /// it is close enough to be a likely typo: at most 1 edit for short names, 2 for names of 5+ characters,
    /// 3 for 9+. A prefix of exactly one candidate also counts.
    public static func closest(to input: String, in candidates: [String]) -> String? {
        let typed = Array(input.lowercased())
        guard !typed.isEmpty else { return nil }
        let allowed = typed.count >= 9 ? 3 : (typed.count >= 5 ? 2 : 1)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(typed, Array(candidate.lowercased()))
            if distance <= allowed, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
        }
        if let best { return best.name }
        let prefixed = candidates.filter { $0.lowercased().hasPrefix(input.lowercased()) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }

    /// `; did you mean 'inspect'?` or "" — ready to append to a message.
    public static func didYouMean(_ input: String, in candidates: [String]) -> String {
        closest(to: input, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
