/// Why a bundle could not be made, read or trusted. Every case names the bundle and the file inside it (or the
/// file on disk) and says what was expected.
public enum BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bundle cannot be trusted: `file` (an entry of the bundle, or the manifest) failed the check `reason` describes.
    case rejected(bundle: String, file: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// `bundle create`: packages that could not be internalized (the bundle was not written).
    case incompleteSelection(failed: [String])

    public var description: String {
        switch self {
        case let .rejected(bundle, file, reason): return "\(bundle): \(file): \(reason); the bundle is refused: nothing was pushed from it"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .incompleteSelection(failed):
            return "the bundle was not written: \(failed.count) package(s) could not be internalized: " + failed.joined(separator: "; ")
        }
    }
}
