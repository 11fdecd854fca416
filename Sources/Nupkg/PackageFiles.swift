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
            var found: [[UInt8]] = []
            walk(base, relative: [], into: &found)
            // Byte order of the UTF-8 names (code point order): String's Unicode-aware comparison cost more
            // than listing the folder. The two orders differ only for decomposed (NFD) names, such as files
            // copied from macOS, which now sort by their bytes.
            found.sort { left, right in
                left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in
                        let common = min(l.count, r.count)
                        let order = common == 0 ? 0 : memcmp(l.baseAddress!, r.baseAddress!, common)
                        return order != 0 ? order < 0 : l.count < r.count
                    }
                }
            }
            let prefix = Array((base == "/" ? "/" : base + "/").utf8)
            files += found.map { String(decoding: prefix + $0, as: UTF8.self) }
        }
        return (files, missing)
    }

    /// Collects the paths of packages under `folder`, relative to the folder argument, as UTF-8 bytes.
    private static func walk(_ folder: String, relative: [UInt8], into found: inout [[UInt8]]) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(strlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self))))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                // Some file systems do not fill d_type: ask lstat (still without following links).
                var status = stat()
                guard lstat(folder + "/" + String(decoding: name, as: UTF8.self), &status) == 0 else { continue }
                switch status.st_mode & S_IFMT {
                case S_IFDIR: type = Int32(DT_DIR)
                case S_IFLNK: type = Int32(DT_LNK)
                default: type = Int32(DT_REG)
                }
            }
            if type == Int32(DT_DIR) {
                let childRelative = relative.isEmpty ? name : relative + [0x2F] + name
                walk(folder + "/" + String(decoding: name, as: UTF8.self), relative: childRelative, into: &found)
            } else if isPackageName(name) {
                found.append(relative.isEmpty ? name : relative + [0x2F] + name)
            }
        }
    }

    /// True for names ending `.nupkg` in any case.
    static func isPackageName(_ name: [UInt8]) -> Bool {
        ASCIIMatching.matches(name, ".nupkg", atEnd: true)
    }
}
