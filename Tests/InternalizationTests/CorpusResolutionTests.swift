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
            guard let scripts = try? PackageScripts.readNow(folder) else { print("unreadable \(folder)"); continue }
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
