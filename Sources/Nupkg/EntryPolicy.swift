import Foundation

/// The rules every entry of a package must pass, in one place: ``PackageExtractor`` applies them while it
/// writes, ``PackageVetter`` while it only reads, and ``PackageReader/inspect(at:)`` to the entry list.
///
/// Names are percent-decoded before they are checked (so `%2e%2e%2f` cannot hide a `../`); symlinks, hard
/// links and devices are refused; two names that differ only in case are refused (they are one file on
/// Windows); sizes are counted as data is read, never taken from headers, and compared with what the
/// header declared afterwards.
struct EntryPolicy {
    let package: String
    let limits: ExtractionLimits
    /// The most bytes the entries may expand to: the archive's size (at least ``ratioFloor``) times the ratio limit.
    let ratioBudget: Int64
    /// Archives smaller than this are budgeted as if they had this size: a tiny package of text (100 KB of
    /// one character in 400 bytes) is not a bomb, while 64 MiB of zeros in 64 KiB still is.
    static let ratioFloor: Int64 = 64 << 10
    private(set) var entries = 0
    private(set) var totalBytes: Int64 = 0
    private var seen: [String: PackageEntry.Kind] = [:]
    /// The folder ``newParents(of:)`` registered last (with all its ancestors).
    private var lastParent = ""

    init(package: String, archiveSize: Int64, limits: ExtractionLimits) {
        self.package = package
        self.limits = limits
        ratioBudget = max(archiveSize, Self.ratioFloor).multipliedReportingOverflow(by: limits.maxCompressionRatio).partialValue
    }

    /// The size of the file at `path` for the ratio budget (0 when it cannot be stat'ed: the reader reports that).
    static func fileSize(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Checks the entry's name and kind and returns its normalized relative path (segments joined by `/`,
    /// empty and `.` segments dropped), or nil for an entry that names no file (`./`, `/`-only).
    /// `decodedName` is the percent-decoded name when the caller has it already (``PackageReader`` decodes
    /// every name for its listing; decoding twice showed in `inspect`'s profile).
    mutating func admit(_ raw: RawArchiveEntry, decodedName: String? = nil) throws(NupkgError) -> String? {
        entries += 1
        guard entries <= limits.maxEntries else {
            throw .limitExceeded(path: package, reason: "more than \(limits.maxEntries) entries")
        }
        // A name that is not UTF-8 has no single meaning on disk (CP437? the locale?), so it is not guessed.
        guard String(validating: raw.rawName, as: UTF8.self) != nil else {
            throw .unsafeEntry(path: package, entry: raw.name, reason: "the name is not valid UTF-8")
        }
        let name = decodedName ?? EntryName.percentDecoded(raw.name)
        if let reason = EntryName.unsafeReason(name) { throw .unsafeEntry(path: package, entry: raw.name, reason: reason) }
        switch raw.kind {
        case .symlink: throw .unsafeEntry(path: package, entry: raw.name, reason: "symbolic links are not allowed")
        case .hardlink: throw .unsafeEntry(path: package, entry: raw.name, reason: "hard links are not allowed")
        case .special: throw .unsafeEntry(path: package, entry: raw.name, reason: "devices, FIFOs and sockets are not allowed")
        case .directory, .file: break
        }
        // Most names are already normal (`tools/x.ps1`): skip the split and join that `inspect` would pay per entry.
        let relative = Self.isNormal(name) ? name : name.split(separator: "/").filter { !$0.isEmpty && $0 != "." }.joined(separator: "/")
        guard !relative.isEmpty else { return nil }
        // Windows folds case: `Tools/a` and `tools/a` are one file there, so refuse the pair everywhere.
        let key = relative.asciiFastCaseFolded
        if let previous = seen[key], !(previous == .directory && raw.kind == .directory) {
            throw .unsafeEntry(path: package, entry: raw.name, reason: "the name occurs twice (ignoring case)")
        }
        seen[key] = raw.kind
        return relative
    }

    /// True when `name` has no empty or `.` segment and no leading or trailing `/` (no `//`, `/.`, `./`).
    private static func isNormal(_ name: String) -> Bool {
        var previous = UInt8(ascii: "/")
        for byte in name.utf8 {
            if previous == UInt8(ascii: "/"), byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") { return false }
            previous = byte
        }
        return previous != UInt8(ascii: "/")
    }

    /// Registers the folders above `relative` and returns those not seen before, outermost first; a folder
    /// that is also a file is refused.
    mutating func newParents(of relative: String) throws(NupkgError) -> [String] {
        // Entries of one folder usually follow each other: when the parent is the last one registered, all
        // its ancestors are too.
        guard let lastSlash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return [] }
        if relative[..<lastSlash] == lastParent[...] { return [] }
        lastParent = String(relative[..<lastSlash])
        var created: [String] = []
        // Each folder is a prefix of `relative` ending before a `/`: no splitting and re-joining per entry.
        for slash in relative.utf8.indices where relative.utf8[slash] == UInt8(ascii: "/") {
            let path = String(relative[..<slash])
            let key = path.asciiFastCaseFolded
            if let kind = seen[key], kind != .directory {
                throw .unsafeEntry(path: package, entry: relative, reason: "'\(path)' is both a file and a folder")
            }
            if seen[key] == nil {
                seen[key] = .directory
                created.append(path)
            }
        }
        return created
    }

    /// Counts `count` more bytes of content and refuses a size or ratio bomb as soon as it shows.
    mutating func count(bytes count: Int) throws(NupkgError) {
        // Compared before adding: a forged declared size near Int64.max must not overflow the total.
        guard Int64(count) <= limits.maxTotalBytes - totalBytes else {
            throw .limitExceeded(path: package, reason: "the content expands beyond \(limits.maxTotalBytes) bytes (zip bomb by size)")
        }
        guard Int64(count) <= ratioBudget - totalBytes else {
            throw .limitExceeded(path: package,
                                 reason: "the content expands more than \(limits.maxCompressionRatio) times the archive size (zip bomb by ratio)")
        }
        totalBytes += Int64(count)
    }

    /// Refuses an entry whose data was not the size its header declared (a forged header hides a bomb, or
    /// the bytes were damaged).
    func checkSize(of raw: RawArchiveEntry, actual: Int64) throws(NupkgError) {
        guard raw.declaredSize < 0 || raw.declaredSize == actual else {
            throw .unsafeEntry(path: package, entry: raw.name, reason: "the header declares \(raw.declaredSize) bytes but the data holds \(actual)")
        }
    }

    /// Refuses an entry list whose declared sizes already add up to a bomb (for listings that read no data).
    mutating func count(declared raw: RawArchiveEntry) throws(NupkgError) {
        if raw.kind == .file, raw.declaredSize > 0 { try count(bytes: Int(clamping: raw.declaredSize)) }
    }
}
