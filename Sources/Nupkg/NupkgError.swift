/// Why a package could not be read, extracted or written. Every case names the file.
public enum NupkgError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// libarchive refused the archive; `message` is libarchive's own text.
    case notAZip(path: String, message: String)
    case archiveError(path: String, message: String)
    case noManifest(path: String)
    case multipleManifests(path: String, names: [String])
    case manifestTooLarge(path: String, size: Int64, limit: Int64)
    /// The nuspec is not usable: `field` is the element or attribute, `problem` what was expected.
    case invalidManifest(path: String, field: String, problem: String)
    case unsafeEntry(path: String, entry: String, reason: String)
    case limitExceeded(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): cannot open: \(reason)"
        case let .notAZip(path, message): return "\(path): not a valid .nupkg (zip) archive: \(message)"
        case let .archiveError(path, message): return "\(path): archive error: \(message)"
        case let .noManifest(path): return "\(path): no .nuspec manifest at the root of the package"
        case let .multipleManifests(path, names):
            return "\(path): expected exactly one .nuspec at the root, found \(names.count): \(names.joined(separator: ", "))"
        case let .manifestTooLarge(path, size, limit):
            return "\(path): the .nuspec is \(size) bytes, above the limit of \(limit) bytes"
        case let .invalidManifest(path, field, problem): return "\(path): nuspec field '\(field)': \(problem)"
        case let .unsafeEntry(path, entry, reason): return "\(path): refused entry '\(entry)': \(reason)"
        case let .limitExceeded(path, reason): return "\(path): refused: \(reason)"
        case let .writeFailed(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
