import Versioning

/// The metadata of a package, read from its `.nuspec` manifest.
public struct Nuspec: Sendable, Hashable, Codable {
    /// The nuspec's default namespace (e.g. `http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd`), nil for none.
    public var namespace: String?
    public var minClientVersion: String?
    public var id: String
    public var version: NuGetVersion
    public var title: String?
    public var authors: String?
    public var owners: String?
    public var summary: String?
    public var description: String?
    public var releaseNotes: String?
    public var copyright: String?
    public var language: String?
    /// Tags, split on spaces (and the commas some Chocolatey packages use).
    public var tags: [String]
    public var projectUrl: String?
    public var licenseUrl: String?
    public var iconUrl: String?
    /// The `<icon>` file path inside the package.
    public var icon: String?
    public var readme: String?
    public var license: License?
    public var requireLicenseAcceptance: Bool
    public var developmentDependency: Bool
    public var serviceable: Bool
    public var repository: SourceRepository?
    public var chocolatey: ChocolateyMetadata
    /// Dependencies without a target framework (the flat form or a `<group>` without `targetFramework`).
    public var dependencyGroups: [DependencyGroup]
    /// The `<files>` section, when present.
    public var files: [FileSpec]
    /// Things that are not errors but that a careful admin wants to know (missing description, ...).
    public var warnings: [String]

    /// Every dependency of every group, in document order.
    public var allDependencies: [PackageDependency] { dependencyGroups.flatMap(\.dependencies) }

    /// `<license type="expression|file" version="...">`.
    public struct License: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable { case expression, file }
        public var kind: Kind
        public var value: String
        public var version: String?

        public init(kind: Kind, value: String, version: String? = nil) {
            self.kind = kind
            self.value = value
            self.version = version
        }
    }

    /// `<repository type url branch commit>`.
    public struct SourceRepository: Sendable, Hashable, Codable {
        public var type: String?
        public var url: String?
        public var branch: String?
        public var commit: String?

        public init(type: String? = nil, url: String? = nil, branch: String? = nil, commit: String? = nil) {
            self.type = type
            self.url = url
            self.branch = branch
            self.commit = commit
        }
    }

    /// `<group targetFramework>` of dependencies; `targetFramework` nil for the flat form.
    public struct DependencyGroup: Sendable, Hashable, Codable {
        public var targetFramework: String?
        public var dependencies: [PackageDependency]

        public init(targetFramework: String? = nil, dependencies: [PackageDependency]) {
            self.targetFramework = targetFramework
            self.dependencies = dependencies
        }
    }

    /// `<file src target exclude>`.
    public struct FileSpec: Sendable, Hashable, Codable {
        public var source: String
        public var target: String?
        public var exclude: String?

        public init(source: String, target: String? = nil, exclude: String? = nil) {
            self.source = source
            self.target = target
            self.exclude = exclude
        }
    }
}

/// A dependency on another package; a missing version means any version.
public struct PackageDependency: Sendable, Hashable, Codable {
    public var id: String
    public var range: VersionRange
    public var include: String?
    public var exclude: String?

    public init(id: String, range: VersionRange = .all, include: String? = nil, exclude: String? = nil) {
        self.id = id
        self.range = range
        self.include = include
        self.exclude = exclude
    }
}

/// The elements Chocolatey adds to the nuspec (its 2015/06 schema).
public struct ChocolateyMetadata: Sendable, Hashable, Codable {
    public var packageSourceUrl: String?
    public var projectSourceUrl: String?
    public var docsUrl: String?
    public var wikiUrl: String?
    public var bugTrackerUrl: String?
    public var mailingListUrl: String?
    public var provides: String?
    public var conflicts: String?
    public var replaces: String?
    public var softwareDisplayName: String?
    public var softwareDisplayVersion: String?

    /// True when no Chocolatey element is present.
    public var isEmpty: Bool { self == ChocolateyMetadata() }
}
