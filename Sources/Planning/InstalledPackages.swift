import Versioning

/// What Chocolatey reports as installed on a host.
public enum InstalledPackages {
    /// Parses `choco list` output of Chocolatey CLI 2.x (`choco list [-r]`) or 1.x (`choco list --local-only [-r]`):
    /// `id|version` lines with `-r`, `id version` lines without, banner and summary lines skipped.
    public static func parseChocoList(_ text: String) -> [String: NuGetVersion] {
        var result: [String: NuGetVersion] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {  // "\r\n" is one Character
            let line = rawLine.trimmingCharacters(in: [" ", "\t"])
            if line.isEmpty || line.hasPrefix("Chocolatey v") || line.contains("packages installed") || line.contains("validations performed") { continue }
            let parts = line.contains("|") ? line.split(separator: "|").map(String.init) : line.split(separator: " ").map(String.init)
            guard parts.count == 2, let version = NuGetVersion(parts[1]) else { continue }
            result[parts[0].lowercased()] = version
        }
        return result
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        guard let start = firstIndex(where: { !set.contains($0) }), let end = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[start...end])
    }
}
