import FileSupport
import Foundation

/// Finds `.nupkg` files under files and folders given on a command line.
public enum PackageFiles {
    /// Expands folders recursively into `*.nupkg` paths (sorted by their UTF-8 bytes within each folder
    /// argument, case-insensitive suffix match); files are kept as given. Paths that do not exist are
    /// returned separately. Symbolic links to folders are not followed; a link named `*.nupkg` is listed.
    public static func find(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else { missing.append(path); continue }
            guard (status.st_mode & S_IFMT) == S_IFDIR else { files.append(path); continue }
            let base = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            let found = FolderWalk.files(under: base, where: isPackageName)
            let prefix = Array((base == "/" ? "/" : base + "/").utf8)
            files += found.map { String(decoding: prefix + $0, as: UTF8.self) }
        }
        return (files, missing)
    }

    /// True for names ending `.nupkg` in any case.
    static func isPackageName(_ name: [UInt8]) -> Bool {
        ASCIIMatching.matches(name, ".nupkg", atEnd: true)
    }
}
