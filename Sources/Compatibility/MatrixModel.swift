import Versioning

/// Where a fact came from: the document, commit and date that published it.
public struct Provenance: Sendable, Hashable, Codable {
    /// The repository or description of the source, e.g. `chocolatey/docs`.
    public var source: String
    /// The file in that repository, when known.
    public var file: String?
    /// The commit that published (or for inferred rows, motivated) the fact.
    public var commit: String?
    /// The commit or release date, `YYYY-MM-DD` (or `YYYY-MM`).
    public var date: String?
    /// When and how the fact left the docs, if it did.
    public var removed: String?
    /// Further publication history (retractions, re-additions).
    public var history: String?
    /// A later correction of the published value.
    public var corrected: String?
    /// True when the fact is on the docs' current page.
    public var onHead: Bool
    /// Free text: caveats, related commits.
    public var note: String?

    public init(
        source: String, file: String? = nil, commit: String? = nil, date: String? = nil, removed: String? = nil,
        history: String? = nil, corrected: String? = nil, onHead: Bool = false, note: String? = nil
    ) {
        self.source = source
        self.file = file
        self.commit = commit
        self.date = date
        self.removed = removed
        self.history = history
        self.corrected = corrected
        self.onHead = onHead
        self.note = note
    }

    /// One line for findings: `chocolatey/docs src/…/index.mdx @ 91ac49b1 (2026-06-23)`.
    public var summary: String {
        var text = source
        if let file { text += " " + file }
        if let commit { text += " @ " + commit }
        if let date { text += " (\(date))" }
        return text
    }
}

/// A place in the matrix files, for pointing a reader at the row behind a finding.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The matrix file path and 1-based line.
    public let file: String
    public let line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// A package and the versions it must be in.
public struct PackageRequirement: Sendable, Hashable, Codable {
    /// The package the requirement is about.
    public let packageID: String
    /// Minimum inclusive; maximum exclusive where the docs published an `0.9.x`-style cell.
    public let range: VersionRange
    /// The literal table cell (e.g. `0.9.x`, `4.0.0+`), when the requirement came from a published table.
    public let asPublished: String?

    public init(packageID: String, range: VersionRange, asPublished: String? = nil) {
        self.packageID = packageID
        self.range = range
        self.asPublished = asPublished
    }

    /// `>= 4.0.0 (published '4.0.0+')`.
    public var readable: String {
        range.prettyDescription + (asPublished.map { " (published '\($0)')" } ?? "")
    }
}

/// One row of the CCM component compatibility matrix.
public struct CCMRow: Sendable, Hashable, Codable {
    /// The row label as published (`0.13.2`, `0.6.x`).
    public let label: String
    /// The CCM versions the row is taken to cover: `[min, max)`.
    public let ccmRange: VersionRange
    /// True for rows the docs never published (derived from neighbouring rows).
    public let inferred: Bool
    /// What the client packages must be, in the order written.
    public let requirements: [PackageRequirement]
    /// Values first published and later corrected, by package id.
    public let superseded: [String: String]
    public let provenance: Provenance
    public let note: String?
    public let location: SourceLocation

    /// The requirement for one package id, if the row has one.
    public func requirement(for packageID: String) -> PackageRequirement? {
        requirements.first { $0.packageID == packageID }
    }
}

/// A CCM release that has no row because it is not supported at all (the 2018 beta).
public struct UnlistedVersion: Sendable, Hashable, Codable {
    public let version: NuGetVersion
    public let problem: String
    public let provenance: Provenance
    public let location: SourceLocation
}

/// A CCM release from the release notes.
public struct CCMRelease: Sendable, Hashable, Codable {
    public let version: NuGetVersion
    public let date: String
    public let runtime: String?
    public let note: String?
    public let provenance: Provenance
    public let location: SourceLocation
}

/// "`packageID` at `version` (and later, until the next rule) needs at least these versions."
public struct DependencyRule: Sendable, Hashable, Codable {
    public let packageID: String
    public let version: NuGetVersion
    /// Minimum versions of the dependencies (ranges are always `>= x`).
    public let requires: [PackageRequirement]
    /// `v1`/`v2` when the row is in the docs' current table.
    public let currentTable: String?
    /// True for a published value that was corrected later; never used by checks.
    public let erratum: Bool
    public let provenance: Provenance
    public let location: SourceLocation
}

/// "When `whenPackage` is at least `whenMin`, `requiresPackage` must be at least `requiresMin`."
///
/// The pseudo package id ``Matrix/ccmUnitID`` stands for the three server packages.
public struct CommunicationBreak: Sendable, Hashable, Codable {
    public let id: String
    public let whenPackage: String
    public let whenMin: NuGetVersion
    public let requiresPackage: String
    public let requiresMin: NuGetVersion
    public let effect: String
    public let provenance: Provenance
    public let location: SourceLocation
}

/// A fact worth showing that no check uses.
public struct MatrixNote: Sendable, Hashable, Codable {
    public let text: String
    public let provenance: Provenance
    public let location: SourceLocation
}

/// A package id the matrix knows, with its role: one entry of the catalogue in `packages.yaml`.
public struct KnownPackage: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Codable, CaseIterable { case server, client, prerequisite }
    public let id: String
    public let role: Role
    public let name: String
    /// The part of CCM the package is, for the packages the tool treats specially; nil for the others.
    public let component: CCMCatalogue.Component?
    /// The upstream feed an upgrade takes the package from.
    public let source: CCMCatalogue.Source
    /// True for licensed packages: copied byte for byte, never internalized, repacked or modified.
    public let neverModify: Bool
    /// Where the entry is in `packages.yaml`.
    public let location: SourceLocation
}

/// A runtime package that the server packages of one .NET era need.
public struct PrerequisitePackage: Sendable, Hashable, Codable {
    public let id: String
    /// The server packages that need it.
    public let requiredBy: [String]
    /// The first CCM version of the era that needs it, when not the whole era.
    public let ccmMin: NuGetVersion?
    /// The acceptable versions; `VersionRange.all` when the docs give none.
    public let range: VersionRange
    /// The versions the setup docs pinned over time, oldest first; the last is the recommended one.
    public let docsPinned: [NuGetVersion]
    /// True when the package was only sometimes part of the prerequisites.
    public let optional: Bool
    public let note: String?

    /// The newest version the docs pinned, if any.
    public var recommended: NuGetVersion? { docsPinned.last }
}

/// The .NET runtime and its packages for a span of CCM versions.
public struct DotnetEra: Sendable, Hashable, Codable {
    public let ccmRange: VersionRange
    /// Human name, e.g. `.NET 8.0`.
    public let runtime: String
    /// The runtime versions CCM in this era works with.
    public let runtimeRange: VersionRange
    /// Why `runtimeRange` is what it is (nuspec range, or "major locked, minimum = first pin").
    public let runtimeRangeBasis: String
    public let packages: [PrerequisitePackage]
    /// Combinations of package versions the docs name together (package id → version).
    public let documentedPairs: [[String: NuGetVersion]]
    public let provenance: Provenance
    public let note: String?
    public let location: SourceLocation
}

/// A minimum platform version (SQL Server, Windows Server, PowerShell) for a span of CCM versions.
public struct PlatformMinimum<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    public let ccmRange: VersionRange
    public let minimum: Value
    /// The server package it applies to (PowerShell only).
    public let component: String?
    public let inferred: Bool
    public let provenance: Provenance
    public let location: SourceLocation
}
