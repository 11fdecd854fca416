import Diagnostics
import Foundation
import Versioning
import FileSupport

/// The CCM compatibility matrix: every published row, the product dependency rules, the communication
/// breaks and the platform prerequisites, read from the YAML files in `matrix/`.
///
/// The copy compiled into the binary is ``embedded()``; ``load(directory:)`` reads a newer copy at run time.
/// Loading validates everything ``lint(directory:)`` checks and refuses a matrix with errors, because a
/// check against contradictory data would give confident wrong answers.
public struct Matrix: Sendable {
    /// The pseudo package id that stands for the three server packages as one unit.
    public static let ccmUnitID = "ccm"
    /// The files a matrix folder must hold, with what each is for.
    public static let requiredFiles: [(name: String, purpose: String)] = [
        ("packages.yaml", "the package ids the matrix may mention"),
        ("ccm-compatibility.yaml", "the CCM component compatibility rows"),
        ("ccm-releases.yaml", "the CCM release list"),
        ("product-dependencies.yaml", "the product package dependency rules"),
        ("communication-breaks.yaml", "the CCM/agent communication breaks"),
        ("prerequisites.yaml", "the .NET, SQL Server, Windows Server and PowerShell prerequisites"),
    ]

    /// Where the data came from: `embedded` or the folder path.
    public internal(set) var origin: String
    /// The package ids the matrix may mention (`packages.yaml`).
    public internal(set) var packages: [KnownPackage] = []
    /// The CCM server-side upgrade order (database, service, web, agents).
    public internal(set) var serverUpgradeOrder: [String] = []
    /// The lines of `packages:` and `server_upgrade_order:` in packages.yaml, for lint messages.
    var packagesLines = (packages: 0, order: 0)
    /// The catalogue these packages make; the compiled-in one while this matrix's own is incomplete
    /// (a matrix with an incomplete catalogue has lint errors and is refused on load).
    public internal(set) var catalogue: CCMCatalogue = .standard
    /// The compatibility rows, newest first, as in the file.
    public internal(set) var rows: [CCMRow] = []
    /// Rows from older table layouts; shown, never used by checks.
    public internal(set) var historicalRows: [CCMRow] = []
    /// Releases without a row because they are unsupported (the 2018 beta).
    public internal(set) var unlistedVersions: [UnlistedVersion] = []
    /// Every CCM release, oldest first.
    public internal(set) var releases: [CCMRelease] = []
    /// Product dependency rules, as in `product-dependencies.yaml`.
    public internal(set) var dependencyRules: [DependencyRule] = []
    /// Facts about product dependencies that no check uses.
    public internal(set) var dependencyNotes: [MatrixNote] = []
    /// Hard CCM/agent communication breaks from release notes.
    public internal(set) var communicationBreaks: [CommunicationBreak] = []
    /// Statements that relax or explain a break.
    public internal(set) var communicationNotes: [MatrixNote] = []
    /// .NET runtime eras with their prerequisite packages.
    public internal(set) var dotnetEras: [DotnetEra] = []
    /// SQL Server, Windows Server and PowerShell minimums per CCM range.
    public internal(set) var sqlServerMinimums: [PlatformMinimum<ServerRelease>] = []
    public internal(set) var windowsServerMinimums: [PlatformMinimum<ServerRelease>] = []
    public internal(set) var powershellMinimums: [PlatformMinimum<NuGetVersion>] = []
    /// Server setup beyond packages: the website's HTTPS binding, Windows features, SQL Server's start mode.
    public internal(set) var serverSetup: [SetupRule] = []

    init(origin: String) {
        self.origin = origin
    }

    // MARK: Loading

    /// The matrix compiled into the binary from `matrix/` at build time.
    public static func embedded() throws(MatrixLoadError) -> Matrix {
        try embeddedResult.get()
    }

    /// Parsed once per process: the embedded text never changes.
    private static let embeddedResult = Result { () throws(MatrixLoadError) -> Matrix in
        try load(files: embeddedFiles, origin: "embedded", pathPrefix: "matrix/")
    }

    /// The verbatim text of the embedded files, sorted by name (for `matrix show --raw` and drift tests).
    public static var embeddedFiles: [(name: String, text: String)] { embeddedMatrixFiles }

    /// Reads and validates the matrix folder at `directory` (the layout of `matrix/`).
    public static func load(directory: String) throws(MatrixLoadError) -> Matrix {
        let (files, problems) = readFolder(directory)
        if problems.contains(where: { $0.severity == .error }) {
            throw MatrixLoadError(diagnostics: problems.filter { $0.severity == .error })
        }
        return try load(files: files, origin: directory, pathPrefix: folderPrefix(directory))
    }

    /// Parses and validates files given as text; `pathPrefix` is put before each name in diagnostics.
    public static func load(files: [(name: String, text: String)], origin: String, pathPrefix: String) throws(MatrixLoadError) -> Matrix {
        let (matrix, diagnostics) = decodeAndValidate(files: files, origin: origin, pathPrefix: pathPrefix)
        let errors = diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw MatrixLoadError(diagnostics: errors) }
        return matrix
    }

    /// Every problem in the matrix folder at `directory`, errors and warnings, in file and line order.
    public static func lint(directory: String) -> [Diagnostic] {
        let (files, problems) = readFolder(directory)
        if problems.contains(where: { $0.severity == .error }) { return problems }
        return problems + decodeAndValidate(files: files, origin: directory, pathPrefix: folderPrefix(directory)).1
    }

    /// Every problem in files given as text (the embedded copy, or files built by a test).
    public static func lint(files: [(name: String, text: String)], pathPrefix: String) -> [Diagnostic] {
        decodeAndValidate(files: files, origin: "files", pathPrefix: pathPrefix).1
    }

    static func decodeAndValidate(files: [(name: String, text: String)], origin: String, pathPrefix: String) -> (Matrix, [Diagnostic]) {
        let reader = YAMLReader()
        var matrix = Matrix(origin: origin)
        matrix.decode(files: files, pathPrefix: pathPrefix, reader: reader)
        // Cross-row checks only make sense on data that parsed; otherwise they would repeat the same fault.
        if !reader.diagnostics.contains(where: { $0.severity == .error }) {
            matrix.validate(reader: reader, pathPrefix: pathPrefix)
        }
        let sorted = reader.diagnostics.enumerated().sorted { a, b in
            (a.element.file, a.element.line ?? 0, a.offset) < (b.element.file, b.element.line ?? 0, b.offset)
        }.map(\.element)
        return (matrix, sorted)
    }

    private static func folderPrefix(_ directory: String) -> String {
        directory.hasSuffix("/") ? directory : directory + "/"
    }

    private static func readFolder(_ directory: String) -> ([(name: String, text: String)], [Diagnostic]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return ([], [MatrixError.unreadable(file: directory, reason: "no such folder; expected a folder laid out like matrix/").diagnostic(.error)])
        }
        guard isDirectory.boolValue else {
            return ([], [MatrixError.unreadable(file: directory, reason: "this is a file; expected the matrix folder holding \(requiredFiles.map(\.name).joined(separator: ", "))").diagnostic(.error)])
        }
        let prefix = folderPrefix(directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            return ([], [MatrixError.unreadable(file: directory, reason: error.localizedDescription).diagnostic(.error)])
        }
        var files: [(name: String, text: String)] = []
        var problems: [Diagnostic] = []
        for name in names {
            let text: String
            do { text = try TextFile.read(atPath: prefix + name) } catch {
                problems.append(MatrixError.unreadable(file: prefix + name, reason: error.reason).diagnostic(.error))
                continue
            }
            files.append((name, text))
        }
        return (files, problems)
    }

    // MARK: Lookups

    /// The newest row (the one with the highest CCM range).
    public var newestRow: CCMRow? { rows.max { ($0.ccmRange.minVersion ?? NuGetVersion(major: 0)) < ($1.ccmRange.minVersion ?? NuGetVersion(major: 0)) } }

    /// The row whose CCM range holds `version`, if any. A prerelease counts as the release it precedes:
    /// `0.18.0-beta` is not covered by a row that ends below 0.18.0, since it previews unknown requirements.
    public func row(for version: NuGetVersion) -> CCMRow? {
        rows.first { $0.ccmRange.contains(version.stable) }
    }

    /// The unlisted (unsupported) release equal to `version`, if any.
    public func unlistedVersion(_ version: NuGetVersion) -> UnlistedVersion? {
        unlistedVersions.first { $0.version == version }
    }

    /// The release-notes entry for `version`, if it is a known release.
    public func release(_ version: NuGetVersion) -> CCMRelease? {
        releases.first { $0.version == version }
    }

    /// True when `version` is a CCM release this matrix knows: listed in `ccm-releases.yaml`, or the exact
    /// label of a published (not inferred) row. Chocolatey publishes rows only for released versions, so a
    /// new row is enough to make its version a release: adding a CCM release is a one-file change
    /// (`docs/adding-a-ccm-release.md`); the release entry only adds its date and notes.
    public func isKnownRelease(_ version: NuGetVersion) -> Bool {
        release(version) != nil || rows.contains { !$0.inferred && NuGetVersion($0.label) == version }
    }

    /// The row for `version`, or why there is none.
    public func resolveRow(for version: NuGetVersion) throws(CompatibilityError) -> CCMRow {
        if let unlisted = unlistedVersion(version) {
            throw .unlistedCCMVersion(version: version.normalized, problem: unlisted.problem)
        }
        guard let row = row(for: version) else {
            throw .unknownCCMVersion(version: version.normalized, known: knownSpan)
        }
        return row
    }

    /// `CCM 0.1.0 to 0.17.x (rows cover [0.1.0, 0.18.0))`, for "unknown version" messages.
    public var knownSpan: String {
        let lows = rows.compactMap(\.ccmRange.minVersion)
        guard let low = lows.min(), let newest = newestRow else { return "no rows" }
        let high = newest.ccmRange.maxVersion.map { "< \($0.normalized)" } ?? "and later"
        return "rows from \(low.normalized) to \(newest.label), covering >= \(low.normalized)\(newest.ccmRange.maxVersion == nil ? "" : " and") \(high)"
    }

    /// The package's entry in `packages.yaml`.
    public func package(_ id: String) -> KnownPackage? {
        packages.first { $0.id.lowercased() == id.lowercased() }
    }

    /// The .NET era whose CCM range holds `version`.
    public func dotnetEra(for version: NuGetVersion) -> DotnetEra? {
        dotnetEras.first { $0.ccmRange.contains(version) }
    }
}
