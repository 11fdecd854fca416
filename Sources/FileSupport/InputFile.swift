import Foundation

/// Why an input file could not be read; names the path (`-` is "standard input").
public struct InputFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path == "-" ? "standard input" : path): \(reason)" }
}

/// Reads a whole input file the user named, where `-` means standard input (`lint-script -`,
/// `deployment lint -`), so the tool fits in a pipe.
public enum InputFile {
    /// The bytes of `path`, or of standard input for `-`.
    public static func read(_ path: String) throws(InputFileError) -> Data {
        if path == "-" {
            do {
                return try FileHandle.standardInput.readToEnd() ?? Data()
            } catch {
                throw InputFileError(path: path, reason: "cannot read: \(error.localizedDescription)")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputFileError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw InputFileError(path: path, reason: "is a folder; expected a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputFileError(path: path, reason: "cannot read the file (permission denied?)")
        }
        return data
    }
}
