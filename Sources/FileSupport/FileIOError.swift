import Foundation

/// Why a file operation failed; names the file and says what failed, in words a user can act on.
public struct FileIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or folder the operation was about.
    public let path: String
    /// What failed, e.g. "cannot create /srv/x.tmp-12-ab: Permission denied".
    public let reason: String

    /// An error about `path`; `reason` says what failed, without repeating the path.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`, the form every error line of the tool takes.
    public var description: String { "\(path): \(reason)" }

    /// An error whose reason ends with the text of the current `errno`.
    static func errno(path: String, _ what: String) -> FileIOError {
        FileIOError(path: path, reason: "\(what): \(errnoText())")
    }

    static func errnoText() -> String { String(cString: strerror(Foundation.errno)) }
}

/// The name ``AtomicFile`` threw before FileSupport owned every file operation.
public typealias AtomicFileError = FileIOError
