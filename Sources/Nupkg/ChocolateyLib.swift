import Foundation
import Versioning

/// What a Chocolatey lib folder says is installed: `lib/<id>/<id>.nuspec` for each package, as choco keeps it.
public enum ChocolateyLib {
    /// The installed version of `id`, or nil when the package is not installed (or its nuspec is unreadable).
    public static func installedVersion(of id: String, lib: String) -> NuGetVersion? {
        let path = "\(lib)/\(id)/\(id).nuspec"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? NuspecReader.read(Array(data), source: path).version
    }

    /// Every installed package (id in lower case → version) and the nuspecs that could not be read; nil when
    /// `lib` is empty or not a readable folder. Folders without a nuspec are skipped (choco's own bookkeeping).
    public static func installedPackages(lib: String) -> (packages: [String: NuGetVersion], problems: [NupkgError])? {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? []
        guard !folders.isEmpty else { return nil }
        var packages: [String: NuGetVersion] = [:]
        var problems: [NupkgError] = []
        for folder in folders.sorted() {
            let path = "\(lib)/\(folder)/\(folder).nuspec"
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            do {
                let nuspec = try NuspecReader.read(Array(data), source: path)
                packages[nuspec.id.lowercased()] = nuspec.version
            } catch {
                problems.append(error)
            }
        }
        return (packages, problems)
    }
}
