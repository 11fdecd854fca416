import Versioning

/// The installed packages in the output of `choco list`, for Chocolatey CLI 1.x and 2.x (remote-hosts.md §3):
///
/// - `choco list --local-only -r` (1.x; 2.x ignores `--local-only` with `-r`) and `choco list -r` (2.x): `id|version`
///   per line — what `ChocoList.command` runs on a host;
/// - without `-r`: a `Chocolatey v2.4.3` banner, `id version` lines, `N packages installed.`;
/// - `--include-headers` (2.5.0+): an `Id|Version` header first;
/// - a licensed install missing its extension, and 2.x refusing `--local-only` without `-r`, print messages first.
///
/// Lines that are not a package are kept in `ignoredLines` (the caller can show them when nothing was found).
/// Versions are NuGet versions (2.x normalizes them: `1.02` is listed as `1.2.0`); an id listed twice
/// (side-by-side installs of 1.x) keeps its highest version.
public struct ChocoList: Sendable, Hashable {
    /// Installed versions by lower-cased package id.
    public var packages: [String: NuGetVersion]
    /// The CLI's version from the banner, when the output had one.
    public var chocolateyVersion: NuGetVersion?
    /// Lines that were neither a package nor choco's usual banner, summary or blank line.
    public var ignoredLines: [String]

    /// The command that lists installed packages on both CLI majors (§3: 2.x ignores `--local-only` with `-r`).
    public static let arguments = ["list", "--local-only", "--limit-output"]

    /// At most this many lines are read: a Chocolatey host has hundreds of packages, not millions.
    public static let lineLimit = 100_000

    public init(packages: [String: NuGetVersion] = [:], chocolateyVersion: NuGetVersion? = nil, ignoredLines: [String] = []) {
        self.packages = packages
        self.chocolateyVersion = chocolateyVersion
        self.ignoredLines = ignoredLines
    }

    /// Reads `text` (LF or CRLF).
    public init(parsing text: String) {
        self.init()
        var count = 0
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            count += 1
            if count > Self.lineLimit {
                ignoredLines.append("(output cut after \(Self.lineLimit) lines)")
                break
            }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if let version = Self.banner(line) {
                chocolateyVersion = version
                continue
            }
            if Self.isSummary(line) { continue }
            guard let (id, version) = Self.package(line) else {
                if ignoredLines.count < 100 { ignoredLines.append(String(line.prefix(300))) }
                continue
            }
            let key = id.lowercased()
            if let existing = packages[key], existing >= version { continue }
            packages[key] = version
        }
    }

    /// `id|version` (with `-r`: split on `|`, as Chocolatey's Ansible module and CCM's own plan do; extra fields, as
    /// `outdated` prints, are not a list line) or `id version`.
    static func package(_ line: Substring) -> (String, NuGetVersion)? {
        let fields =
            line.contains("|")
            ? line.split(separator: "|", omittingEmptySubsequences: false)
            : line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2 else { return nil }
        let id = String(fields[0].trimmingCharacters(in: .whitespaces))
        guard isPackageID(id), let version = NuGetVersion(String(fields[1].trimmingCharacters(in: .whitespaces))) else { return nil }
        return (id, version)
    }

    /// NuGet's id rule (`^\w+([.-]\w+)*$`, at most 100 characters), over ASCII: word characters joined by single
    /// `.` or `-`.
    static func isPackageID(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 100 else { return false }
        let segments = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "-" })
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `Chocolatey v2.4.3` (possibly followed by ` Business` on licensed installs).
    static func banner(_ line: Substring) -> NuGetVersion? {
        guard line.hasPrefix("Chocolatey v") else { return nil }
        let version = line.dropFirst("Chocolatey v".count).split(separator: " ").first.map(String.init) ?? ""
        return NuGetVersion(version)
    }

    /// `5 packages installed.`, `0 validations performed. …`, `Did you know …`.
    static func isSummary(_ line: Substring) -> Bool {
        line.hasSuffix("packages installed.") || line.hasSuffix("package installed.") || line.contains("validations performed")
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: CharacterSetLike) -> Substring {
        var result = self
        while let first = result.first, set.contains(first) { result.removeFirst() }
        while let last = result.last, set.contains(last) { result.removeLast() }
        return result
    }
}

/// Just the whitespace test the trimming above needs (no Foundation in this file's callers' hot path).
private enum CharacterSetLike {
    case whitespaces

    func contains(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\u{FEFF}" }
}
