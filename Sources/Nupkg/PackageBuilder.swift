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
                var pattern = spec.source.replacingOccurrences(of: "\\", with: "/")
                // NuGet's PathResolver: a src ending in a separator is that folder, everything below it.
                if pattern.hasSuffix("/") { pattern += "**/*" }
                let excludes = (spec.exclude ?? "").split(separator: ";").map { String($0).replacingOccurrences(of: "\\", with: "/") }
                let matches = candidates.filter { relative in
                    Glob.matches(relative, pattern) && !excludes.contains { exclude in Glob.matches(relative, exclude) }
                }
                guard !matches.isEmpty else {
                    throw .invalidManifest(path: nuspecPath, field: "files/file", problem: "src '\(spec.source)' matches no file under \(base)")
                }
                let target = (spec.target ?? "").replacingOccurrences(of: "\\", with: "/").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                for relative in matches where !files.contains(where: { $0.content == .path(base + "/" + relative) }) {
                    let packagePath = Self.packagePath(of: relative, pattern: pattern, target: target)
                    // Two files at one name (ignoring case, as Windows and the vetting do) would make a package
                    // NuGet refuses to extract: refused here, naming both.
                    if let clash = files.first(where: { $0.target.lowercased() == packagePath.lowercased() }) {
                        var other = clash.target
                        if case let .path(path) = clash.content { other = String(path.dropFirst(base.count + 1)) }
                        throw .invalidManifest(path: nuspecPath, field: "files/file",
                                               problem: "'\(relative)' and '\(other)' both go to '\(packagePath)' in the package")
                    }
                    files.append(.init(target: packagePath, content: .path(base + "/" + relative)))
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

extension PackageBuilder {
    /// Where a file matched by `pattern` goes in the package, by NuGet's rules (PathResolver.ResolvePackagePath,
    /// which `choco pack` uses): a recursive pattern (`**`, or a folder) keeps the path below its fixed part; a
    /// single file whose target has the same extension is stored under the target name itself
    /// (`src="docs\readme.txt" target="content\readme.txt"`); anything else goes into the target folder by its
    /// own name.
    static func packagePath(of relative: String, pattern: String, target: String) -> String {
        func joined(_ rest: String) -> String { target.isEmpty ? rest : target + "/" + rest }
        // NuGet's IsWildcardSearch looks for `*` only (a `?` still matches one character).
        let isWildcard = pattern.contains("*")
        let fixedPrefix = Glob.fixedPrefix(pattern)
        // Matching ignores case (as on Windows), so the prefix is dropped ignoring case too: `src="tools\**"`
        // over a `Tools` folder keeps `sub/helper.ps1`, not a flattened `helper.ps1`.
        if isWildcard, pattern.contains("**"), relative.lowercased().hasPrefix(fixedPrefix.lowercased()) {
            return joined(String(relative.dropFirst(fixedPrefix.count)))
        }
        if !isWildcard, !target.isEmpty, (pattern as NSString).pathExtension.lowercased() == (target as NSString).pathExtension.lowercased() {
            return target
        }
        return joined((relative as NSString).lastPathComponent)
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
