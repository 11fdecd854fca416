/// Why a version or a version range could not be parsed.
///
/// Messages quote the input and say what was expected, so they can be shown to a user as they are.
public enum VersioningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `input` is not a NuGet version; `reason` says which rule it breaks.
    case invalidVersion(input: String, reason: String)
    /// `input` is not a NuGet version range; `reason` says which rule it breaks.
    case invalidRange(input: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidVersion(input, reason):
            return "invalid version '\(input)': \(reason)"
        case let .invalidRange(input, reason):
            return "invalid version range '\(input)': \(reason)"
        }
    }
}
