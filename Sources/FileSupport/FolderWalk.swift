import Foundation

/// Lists the files under a folder, recursively, fast.
///
/// Walks with `readdir` and the directory entry's type: `FileManager.subpaths` spent more time building and
/// trimming path strings than the kernel spent listing a folder of 1,000 packages. Symbolic links to folders
/// are not followed (no cycles); a link to a file is listed like a file.
public enum FolderWalk {
    /// The paths, relative to `folder` and as UTF-8 bytes, of the non-folder entries whose own name passes
    /// `include`, sorted by their bytes. A folder that cannot be opened is skipped (listed as empty).
    ///
    /// Byte order of the UTF-8 names (code point order): String's Unicode-aware comparison cost more than
    /// listing the folder. The two orders differ only for decomposed (NFD) names, such as files copied from
    /// macOS, which sort by their bytes.
    public static func files(under folder: String, where include: ([UInt8]) -> Bool) -> [[UInt8]] {
        var found: [[UInt8]] = []
        walk(folder, relative: [], include: include, into: &found)
        found.sort { left, right in
            left.withUnsafeBufferPointer { l in
                right.withUnsafeBufferPointer { r in
                    let common = min(l.count, r.count)
                    let order = common == 0 ? 0 : memcmp(l.baseAddress!, r.baseAddress!, common)
                    return order != 0 ? order < 0 : l.count < r.count
                }
            }
        }
        return found
    }

    private static func walk(_ folder: String, relative: [UInt8], include: ([UInt8]) -> Bool, into found: inout [[UInt8]]) {
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
                walk(folder + "/" + String(decoding: name, as: UTF8.self), relative: childRelative, include: include, into: &found)
            } else if include(name) {
                found.append(relative.isEmpty ? name : relative + [0x2F] + name)
            }
        }
    }
}
