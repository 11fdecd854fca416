import RemoteHosts
import Versioning

/// What Chocolatey reports as installed on a host.
public enum InstalledPackages {
    /// Parses `choco list` output of Chocolatey CLI 2.x (`choco list [-r]`) or 1.x (`choco list --local-only [-r]`)
    /// through the one `choco list` reader (RemoteHosts' `ChocoList`): installed versions by lower-cased id.
    public static func parseChocoList(_ text: String) -> [String: NuGetVersion] {
        ChocoList(parsing: text).packages
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        guard let start = firstIndex(where: { !set.contains($0) }), let end = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[start...end])
    }
}
