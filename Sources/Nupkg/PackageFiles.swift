import Foundation

/// Finds `.nupkg` files under files and folders given on a command line.
public enum PackageFiles {
    /// Expands folders recursively into `*.nupkg` paths (sorted within each folder argument, case-insensitive
    /// suffix match); files are kept as given. Paths that do not exist are returned separately.
    ///
    /// Walks with `readdir` and the directory entry's type: `FileManager.subpaths` spent more time building
    /// and trimming path strings than the kernel spent listing a folder of 1,000 packages. Symbolic links to
    /// folders are not followed (no cycles); a link named `*.nupkg` is listed and read through.
    public static func find(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = []
        var missing: [String] = []
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else { missing.append(path); continue }
            guard (status.st_mode & S_IFMT) == S_IFDIR else { files.append(path); continue }
            let base = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            var found: [String] = []
            walk(base, relative: "", into: &found)
            found.sort()
            files += found.map { base == "/" ? "/" + $0 : base + "/" + $0 }
        }
        return (files, missing)
    }

    private static func walk(_ folder: String, relative: String, into found: inout [String]) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let child = folder + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                // Some file systems do not fill d_type: ask lstat (still without following links).
                var status = stat()
                guard lstat(child, &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: type = Int32(DT_DIR)
                case S_IFLNK: type = Int32(DT_LNK)
                default: type = Int32(DT_REG)
                }
            }
            if type == Int32(DT_DIR) {
                walk(child, relative: childRelative, into: &found)
            } else if isPackageName(name) {
                found.append(childRelative)
            }
        }
    }

    /// True for names ending `.nupkg` in any case.
    static func isPackageName(_ name: String) -> Bool {
        name.hasASCIISuffix(ignoringCase: ".nupkg")
    }
}
