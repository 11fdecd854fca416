import Foundation
import Internalization
import PowerShell
import Testing

/// The shared corpus (../shared/corpus from the checkout, or CCM_UPGRADE_CORPUS).
enum Corpus {
    static let root: String = {
        if let override = ProcessInfo.processInfo.environment["CCM_UPGRADE_CORPUS"] { return override }
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return checkout.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }()

    static func folders(_ folder: String) -> [String] {
        let directory = root + "/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().map { directory + "/" + $0 }
    }

    /// A package *template* source (its nuspec has `{{PackageName}}`/`{{PackageVersion}}` placeholders, so it
    /// is no package): its scripts, the folder's name as id, and the version placeholder as written.
    static func templateScripts(_ folder: String) -> PackageScripts {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let path = enumerator?.nextObject() as? String {
            guard PackageScripts.isScript(path), let data = FileManager.default.contents(atPath: folder + "/" + path) else { continue }
            files[path] = Array(data)
        }
        return PackageScripts(id: (folder as NSString).lastPathComponent, version: "{{PackageVersion}}", files: files)
    }
}

@Suite("Resource finder over the corpus")
struct CorpusResolutionTests {
    @Test func communityPackagesResolve() throws {
        let folders = Corpus.folders("chocolatey-packages")
        try #require(folders.count == 320, "corpus not found at \(Corpus.root); set CCM_UPGRADE_CORPUS")
        var callers = 0
        var resolved = 0
        var reasons: [String: [String]] = [:]
        for folder in folders {
            let scripts = (try? PackageScripts.readNow(folder)) ?? Corpus.templateScripts(folder)
            let report = ResourceFinder.find(in: scripts)
            guard !report.helperCalls.isEmpty else { continue }
            callers += 1
            if report.isFullyResolved { resolved += 1 }
            for item in report.unresolved { reasons[item.reason, default: []].append("\(scripts.id) \(item.call.location)") }
        }
        print("callers \(callers) resolved \(resolved)")
        for (reason, where_) in reasons.sorted(by: { $0.key < $1.key }) { print("- \(reason): \(where_.joined(separator: ", "))") }
    }
}
