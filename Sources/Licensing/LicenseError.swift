/// Why a `chocolatey.license.xml` or its package was refused. Every message names the file and the field,
/// and none ever contains the licence id (the secret of a Chocolatey licence).
public enum LicenseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not well-formed XML, or declares a DTD (refused by the secure reader).
    case malformed(file: String, reason: String)
    /// A field is missing or holds something a Chocolatey licence never does; `expected` says what would do.
    case invalidField(file: String, field: String, problem: String)
    /// The licence has expired (`expiration` is in the past).
    case expired(file: String, expiration: String)
    /// The package could not be written.
    case packageFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the licence file: \(reason)"
        case let .malformed(file, reason): return "\(file): not a licence file: \(reason)"
        case let .invalidField(file, field, problem): return "\(file): licence field '\(field)': \(problem)"
        case let .expired(file, expiration):
            return "\(file): licence field 'expiration': the licence expired on \(expiration); get the renewed chocolatey.license.xml from Chocolatey (the customer portal or your account manager) and use that file"
        case let .packageFailed(file, reason): return "\(file): cannot build the licence package: \(reason)"
        }
    }
}
