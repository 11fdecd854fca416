import CurlSupport
import FileSupport
import Foundation
import Internalization
import Nupkg

/// Finds the remote resources of the package at a path (the PowerShell reader's ``ResourceFinder`` in the
/// tool; tests may pass their own). Throws when the package's scripts cannot be read.
public typealias ResourceFinding = @Sendable (_ packagePath: String) throws -> ResourceReport

/// Where resources are put when they do not go inside the package (`--resources-location`).
public enum ResourceLocation: Sendable {
    /// A folder (a mounted share): files are copied to `<path>/<id>/<version>/<file>`.
    case folder(path: String)
    /// A web location accepting `PUT` of raw files (Nexus raw, Artifactory generic).
    case web(url: String, credentials: Credentials?)
}

/// How `internalize` embeds (the default for community packages); nil in ``Internalizer/embedding`` copies
/// every package byte for byte.
public struct EmbedSettings: Sendable {
    public var fetcher: ResourceFetcher
    public var finder: ResourceFinding
    /// Where the scripts will find the resources: inside the package, or at a location.
    public var placement: ResourcePlacement
    /// Where the files go for ``ResourcePlacement/location(base:)`` (nil when embedded).
    public var location: ResourceLocation?
    /// Ids (lower case) that are never modified: the CCM packages, agent and extension (``CCMCatalogue``).
    public var neverModified: Set<String>
    /// Source names whose packages are licensed: copied byte for byte, never modified.
    public var licensedSources: Set<String>
    /// Ids (lower case) the user named to copy as they are when some download cannot be resolved.
    public var copyUnresolved: Set<String>
    /// Where internalized packages are written (`<work>/internalized`).
    public var outputDirectory: String
    /// A progress reporter for one resource's download (bytes done, total), given its URL; nil for none.
    public var resourceProgress: @Sendable (String) -> (@Sendable (Int64, Int64) -> Void)? = { _ in nil }

    public init(fetcher: ResourceFetcher, finder: @escaping ResourceFinding, placement: ResourcePlacement = .embedded,
                location: ResourceLocation? = nil, neverModified: Set<String>, licensedSources: Set<String>,
                copyUnresolved: Set<String> = [], outputDirectory: String) {
        self.fetcher = fetcher
        self.finder = finder
        self.placement = placement
        self.location = location
        self.neverModified = Set(neverModified.map { $0.lowercased() })
        self.licensedSources = licensedSources
        self.copyUnresolved = Set(copyUnresolved.map { $0.lowercased() })
        self.outputDirectory = outputDirectory
    }

    /// Why `id` from `source` is never rewritten, or nil when it may be.
    public func licensedReason(id: String, source: String) -> String? {
        if neverModified.contains(id.lowercased()) {
            return "a licensed Chocolatey package (CCM, agent or extension): copied byte for byte, never internalized (licensed#155)"
        }
        if licensedSources.contains(source) {
            return "from the licensed source: copied byte for byte, never internalized (licensed#155)"
        }
        return nil
    }
}

/// What embedding did to one package, for the summary.
public struct EmbeddingOutcome: Sendable, Hashable, Codable {
    /// `embedded`, `location`, `nothingToEmbed`, `licensed` (copied, never modified), `copiedUnresolved`
    /// (copied as named by the user: still needs the internet at install).
    public var mode: String
    public var resources: [EmbeddingRecord.Resource]
    /// Downloads that could not be resolved statically, as `file:line: helper: reason`.
    public var unresolved: [String]
    /// True when an install of the pushed package still downloads from the internet.
    public var needsInternet: Bool
    /// SHA-512 (base64) of the original package as the source has it.
    public var originalSHA512: String?
}
