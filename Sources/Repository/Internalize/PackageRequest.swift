import Foundation
import Versioning

/// Which version of a package to bring in.
public enum VersionPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The newest listed version (stable unless prerelease is allowed).
    case latest
    /// Exactly this version.
    case exact(NuGetVersion)
    /// The newest listed version within the range (e.g. `[10.0.0, 11.0.0)`: stay on the documented major line).
    case newest(in: VersionRange)

    public var description: String {
        switch self {
        case .latest: return "latest"
        case let .exact(version): return version.normalized
        case let .newest(range): return "newest in \(range.normalized)"
        }
    }

    /// Parses `latest`, a version (`10.0.9`) or a bracketed range (`[10.0,11.0)`).
    public init(parsing text: String) throws(FeedError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.lowercased() == "latest" {
            self = .latest
        } else if trimmed.hasPrefix("[") || trimmed.hasPrefix("(") {
            do { self = .newest(in: try VersionRange(parsing: trimmed)) } catch {
                throw .invalidSource(source: text, reason: "not a version range: \(error)")
            }
        } else {
            do { self = .exact(try NuGetVersion(parsing: trimmed)) } catch {
                throw .invalidSource(source: text, reason: "not 'latest', a version or a range: \(error)")
            }
        }
    }
}

extension VersionPolicy {
    /// The version this policy picks among a feed's `versions`: listed ones only, except that an exact
    /// version is taken even when unlisted.
    public func select(from versions: [RemotePackage], includePrerelease: Bool) -> RemotePackage? {
        let listed = versions.filter(\.isListed)
        switch self {
        case .latest:
            return listed.filter { includePrerelease || !$0.version.isPrerelease }.max { $0.version < $1.version }
        case let .exact(version):
            return versions.first { $0.version == version }
        case let .newest(range):
            guard let version = range.newest(in: listed.map(\.version), includePrerelease: includePrerelease) else { return nil }
            return listed.first { $0.version == version }
        }
    }
}

/// One package to internalize: what, which version, from which source.
public struct PackageRequest: Sendable, Hashable, Codable, CustomStringConvertible {
    public var id: String
    public var version: VersionPolicy
    /// The source name (`community`, `licensed`) or location.
    public var source: String
    /// Do not bring in dependencies (`--ignore-dependencies` in the CCM docs' scripts for licensed packages).
    public var ignoreDependencies: Bool

    public init(id: String, version: VersionPolicy = .latest, source: String, ignoreDependencies: Bool = false) {
        self.id = id
        self.version = version
        self.source = source
        self.ignoreDependencies = ignoreDependencies
    }

    public var description: String { "\(id) (\(version)) from \(source)" }
}

/// The CCM package sets of the CCM documentation (ccm.md §8). Licensed packages come from the licensed
/// repository, are never modified (copied byte for byte) and never bring dependencies along.
///
/// Which ids are CCM's licensed packages is the CCM catalogue's knowledge (`matrix/packages.yaml`, read by
/// Compatibility's `CCMCatalogue`); callers pass them in, so that this feed library stays free of CCM data.
public enum CCMPackageSet: String, Sendable, CaseIterable, Codable {
    /// The upgrade script ("Step 1: Download Latest Packages"), with the .NET runtimes kept on the 10.x
    /// line instead of jumping to an unsupported major.
    case upgrade
    /// The setup script ("Step 1: Internalize Packages"), with its pinned .NET versions.
    case setup

    /// The set's requests; `licensedIDs` are CCM's licensed packages (`CCMCatalogue.ccmLicensedIDs`).
    public func requests(licensedIDs: [String], community: String = "community", licensed: String = "licensed") -> [PackageRequest] {
        let tenLine = VersionPolicy.newest(in: VersionRange(min: NuGetVersion(major: 10, minor: 0, patch: 0), minInclusive: true,
                                                            max: NuGetVersion(major: 11, minor: 0, patch: 0), maxInclusive: false))
        let licensedSet = licensedIDs.map { PackageRequest(id: $0, source: licensed, ignoreDependencies: true) }
        switch self {
        case .upgrade:
            return [
                PackageRequest(id: "dotnet-10.0-runtime", version: tenLine, source: community),
                PackageRequest(id: "dotnet-10.0-aspnetruntime", version: tenLine, source: community),
                PackageRequest(id: "dotnet-aspnetcoremodule-v2", source: community),
                PackageRequest(id: "chocolatey", source: licensed, ignoreDependencies: true),
            ] + licensedSet
        case .setup:
            return [
                PackageRequest(id: "chocolatey", source: community),
                PackageRequest(id: "chocolateygui", source: community),
                PackageRequest(id: "dotnet4.5.2", source: community),
                PackageRequest(id: "dotnetfx", source: community),
                PackageRequest(id: "dotnet-10.0-runtime", version: .exact(NuGetVersion(major: 10, minor: 0, patch: 9)), source: community),
                PackageRequest(id: "dotnet-10.0-aspnetruntime", version: .exact(NuGetVersion(major: 10, minor: 0, patch: 9)), source: community),
                PackageRequest(id: "dotnet-aspnetcoremodule-v2", version: .exact(NuGetVersion(major: 20, minor: 0, patch: 26140)),
                               source: community),
            ] + licensedSet
        }
    }
}

/// Reads a package-list file: one package per line, `id [version|latest|range] [source]`, `#` comments.
public enum PackageListFile {
    public static func parse(_ text: String, file: String, defaultSource: String) throws(FeedError) -> [PackageRequest] {
        var requests: [PackageRequest] = []
        // Any newline ends a line ("\r\n" is one Character, so splitting on "\n" kept CRLF lists as one line).
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, rawLine) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let id = fields.first else { continue }
            guard fields.count <= 3 else {
                throw .invalidSource(source: "\(file):\(index + 1)", reason: "expected 'id [version] [source]', got \(fields.count) fields")
            }
            let policy: VersionPolicy
            do {
                policy = try VersionPolicy(parsing: fields.count > 1 ? fields[1] : "latest")
            } catch {
                throw .invalidSource(source: "\(file):\(index + 1)", reason: error.description)
            }
            requests.append(PackageRequest(id: id, version: policy, source: fields.count > 2 ? fields[2] : defaultSource))
        }
        return requests
    }
}
