/// What the user named as a program to run (`choco`, `/usr/local/bin/choco`, `C:\ProgramData\chocolatey\bin\choco.exe`):
/// a name looked up in the directories of `PATH` (with `PATHEXT`'s extensions on Windows), or a path used as it is.
///
/// The platform decides, as its own shell does: on Windows a `\`, `/` or `:` (a drive) makes it a path; elsewhere
/// only `/` does — except that a Windows path (`C:\…`, `\\server\…`) is a path everywhere, so that on Linux it is
/// reported as a path that does not exist here instead of being searched for in `PATH` as an odd file name.
public enum ExecutableReference: Sendable, Hashable, CustomStringConvertible {
    /// Looked up in `PATH` when the child starts.
    case name(String)
    /// Run as given (absolute, or relative to the working directory).
    case path(String)

    /// The platforms whose lookup rules differ.
    public enum Platform: Sendable, Hashable {
        case windows
        case posix

        /// The platform this binary was built for.
        public static var current: Platform {
            #if os(Windows)
                .windows
            #else
                .posix
            #endif
        }
    }

    /// Classifies `text` by `platform`'s rules.
    public init(_ text: String, platform: Platform = .current) {
        let separators: Set<Character> = platform == .windows ? ["/", "\\", ":"] : ["/"]
        if text.contains(where: separators.contains) || Self.isWindowsPath(text) {
            self = .path(text)
        } else {
            self = .name(text)
        }
    }

    /// `C:\…`, `C:/…` or a UNC path `\\server\share\…`.
    public static func isWindowsPath(_ text: String) -> Bool {
        let characters = Array(text.prefix(3))
        if characters.count == 3, characters[0].isASCII, characters[0].isLetter, characters[1] == ":", characters[2] == "\\" || characters[2] == "/" {
            return true
        }
        return text.hasPrefix("\\\\")
    }

    public var description: String {
        switch self {
        case .name(let name): name
        case .path(let path): path
        }
    }
}
