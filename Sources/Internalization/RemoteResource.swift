import PowerShell

/// A file a package's script downloads at install time, found statically by ``ResourceFinder``.
///
/// The finder says *where* each value comes from (``SourceSpan``) so the embedder can replace the URL
/// expression with a package-local path and, when it has to, insert a checksum — and touch nothing else.
public struct RemoteResource: Sendable, Hashable, Codable {
    public enum Architecture: String, Sendable, Hashable, Codable {
        case x86 = "32-bit"
        case x64 = "64-bit"
        /// The helper takes one URL for both (e.g. `Get-ChocolateyWebFile -Url` with no `-Url64bit`).
        case any
    }

    /// How extra arguments are added to the call when the embedder must insert one (a computed checksum).
    public enum InsertionStyle: String, Sendable, Hashable, Codable {
        /// Append ` -Name 'value'` at `insertion` (the end of the command's last argument).
        case commandArguments
        /// Add a `Name = 'value'` entry before the closing `}` of the hashtable at `insertion`.
        case hashtableEntries
    }

    /// The URL as the script would compute it.
    public var url: String
    public var architecture: Architecture
    /// The declared checksum (hex) and its type (`md5`, `sha1`, `sha256`, `sha512`), when the script gives one.
    public var checksum: String?
    public var checksumType: String?
    /// The download helper called (`Install-ChocolateyPackage`, `Install-DotNetFramework`, …).
    public var helper: String
    /// The call of the helper (file, line) — what messages point at.
    public var call: SourceSpan
    /// The expression whose value is the URL: replacing these bytes with a PowerShell expression that
    /// evaluates to a local path makes the helper use the embedded file.
    public var urlSite: SourceSpan
    /// Where a missing checksum can be inserted, and how; nil when the call cannot take one statically.
    public var insertion: SourceSpan?
    public var insertionStyle: InsertionStyle?

    public init(
        url: String, architecture: Architecture, checksum: String?, checksumType: String?, helper: String,
        call: SourceSpan, urlSite: SourceSpan, insertion: SourceSpan?, insertionStyle: InsertionStyle?
    ) {
        self.url = url
        self.architecture = architecture
        self.checksum = checksum
        self.checksumType = checksumType
        self.helper = helper
        self.call = call
        self.urlSite = urlSite
        self.insertion = insertion
        self.insertionStyle = insertionStyle
    }
}

/// A download-helper argument whose URL could not be worked out statically: reported with its place and
/// the reason, never guessed.
public struct UnresolvedResource: Sendable, Hashable, Codable {
    public var helper: String
    public var call: SourceSpan
    /// Why, in words a package maintainer understands (e.g. "the URL uses $env:TEMP, unknown before install").
    public var reason: String

    public init(helper: String, call: SourceSpan, reason: String) {
        self.helper = helper
        self.call = call
        self.reason = reason
    }
}

/// Everything ``ResourceFinder`` found in one package.
public struct ResourceReport: Sendable, Hashable, Codable {
    public var id: String
    public var version: String
    public var resources: [RemoteResource]
    public var unresolved: [UnresolvedResource]
    /// Every call of a download helper the scripts make (including those given only local files): a package
    /// with none does not download through a helper at all.
    public var helperCalls: [SourceSpan]

    public init(
        id: String, version: String, resources: [RemoteResource], unresolved: [UnresolvedResource], helperCalls: [SourceSpan] = []
    ) {
        self.id = id
        self.version = version
        self.resources = resources
        self.unresolved = unresolved
        self.helperCalls = helperCalls
    }

    /// True when every download the scripts make is known: the package can be internalized.
    public var isFullyResolved: Bool { unresolved.isEmpty }
}
