import Foundation

/// Builds a .nupkg from a nuspec on disk, as `choco pack` does: the `<files>` section selects files
/// (globs relative to the nuspec's folder, `\` or `/`), or, without one, every file beside and below
/// the nuspec except other nuspecs, .nupkg files and hidden files.
public enum PackageBuilder {
    /// Packs `nuspecPath` into `outputDirectory` and returns the written package's path
    /// (`id.normalizedversion.nupkg`). The nuspec is stored byte for byte.
    @discardableResult
    public static func pack(nuspecPath: String, outputDirectory: String) throws(NupkgError) -> String {
        guard let data = FileManager.default.contents(atPath: nuspecPath) else {
            throw .cannotOpen(path: nuspecPath, reason: "cannot read the nuspec")
        }
        let bytes = Array(data)
        let nuspec = try NuspecReader.read(bytes, source: nuspecPath)
        let base = (nuspecPath as NSString).deletingLastPathComponent.isEmpty ? "." : (nuspecPath as NSString).deletingLastPathComponent
        let candidates = (FileManager.default.subpaths(atPath: base) ?? []).sorted().filter { relative in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }
        var files: [PackageWriter.File] = []
        if nuspec.files.isEmpty {
            for relative in candidates {
                let lower = relative.lowercased()
                let hidden = relative.split(separator: "/").contains { $0.hasPrefix(".") }
                if hidden || lower.hasSuffix(".nupkg") || lower.hasSuffix(".nuspec") { continue }
                files.append(.init(target: relative, content: .path(base + "/" + relative)))
            }
        } else {
            for spec in nuspec.files {
                let pattern = spec.source.replacingOccurrences(of: "\\", with: "/")
                let excludes = (spec.exclude ?? "").split(separator: ";").map { String($0).replacingOccurrences(of: "\\", with: "/") }
                let matches = candidates.filter { relative in
                    Glob.matches(relative, pattern) && !excludes.contains { exclude in Glob.matches(relative, exclude) }
                }
                guard !matches.isEmpty else {
                    throw .invalidManifest(path: nuspecPath, field: "files/file", problem: "src '\(spec.source)' matches no file under \(base)")
                }
                let fixedPrefix = Glob.fixedPrefix(pattern)
                let target = (spec.target ?? "").replacingOccurrences(of: "\\", with: "/").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                for relative in matches where !files.contains(where: { $0.content == .path(base + "/" + relative) }) {
                    let rest = relative.hasPrefix(fixedPrefix) ? String(relative.dropFirst(fixedPrefix.count)) : (relative as NSString).lastPathComponent
                    files.append(.init(target: target.isEmpty ? rest : target + "/" + rest, content: .path(base + "/" + relative)))
                }
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: outputDirectory, reason: error.localizedDescription)
        }
        let destination = outputDirectory + "/" + PackageIdentity(id: nuspec.id, version: nuspec.version).fileName
        try PackageWriter.write(nuspecXML: bytes, files: files, to: destination)
        return destination
    }
}

/// NuGet-style globs: `*` within a segment, `**` across segments.
enum Glob {
    static func matches(_ path: String, _ pattern: String) -> Bool {
        var regex = "^"
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*":
                if characters.first == "*" {
                    characters.removeFirst()
                    if characters.first == "/" { characters.removeFirst(); regex += "(.*/)?" } else { regex += ".*" }
                } else {
                    regex += "[^/]*"
                }
            case "?": regex += "[^/]"
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        regex += "$"
        return path.range(of: regex, options: [.regularExpression, .caseInsensitive]) != nil
    }

    /// The directory part before the first wildcard (`tools/` for `tools/**`), which the target replaces.
    static func fixedPrefix(_ pattern: String) -> String {
        guard let wildcard = pattern.firstIndex(where: { $0 == "*" || $0 == "?" }) else {
            return (pattern as NSString).deletingLastPathComponent.isEmpty ? "" : (pattern as NSString).deletingLastPathComponent + "/"
        }
        let head = pattern[..<wildcard]
        guard let slash = head.lastIndex(of: "/") else { return "" }
        return String(head[...slash])
    }
}
