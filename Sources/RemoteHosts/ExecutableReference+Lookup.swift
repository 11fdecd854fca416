import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

extension ExecutableReference {
    /// Where the child would start this program with `environment`, or nil when it cannot be found: the
    /// lookup `ChildProcess` itself does (swift-subprocess: `PATH`, and `PATHEXT` on Windows), asked before
    /// anything runs so that a run that could not start choco does not begin.
    public func resolved(environment: [String: String]) async -> String? {
        let executable: Executable =
            switch self {
            case .name(let name): .name(name)
            case .path(let path): .path(FilePath(path))
            }
        let custom = Environment.custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
        guard let path = try? await executable.resolveExecutablePath(in: custom) else { return nil }
        // A path is taken as given by the resolver: whether it is there and executable is checked here.
        return FileManager.default.isExecutableFile(atPath: path.string) ? path.string : nil
    }
}
