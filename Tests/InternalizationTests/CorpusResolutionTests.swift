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

/// Why a corpus package is not fully resolved, in broad groups (the exact reasons are in the reports).
enum UnresolvedGroup: String, CaseIterable {
    case template = "unfilled template placeholder"
    case installTimeCommand = "a value computed by a command at install time (web request, data file not in the package, locale)"
    case machineCondition = "a value chosen by a condition on the machine"
    case installTimeLoop = "a loop over values known at install time"

    init?(reason: String) {
        if reason.contains("unfilled template placeholder") {
            self = .template
        } else if reason.contains("known only at install time") {
            self = .installTimeCommand
        } else if reason.contains("depending on the condition") || reason.contains("under the condition") {
            self = .machineCondition
        } else if reason.contains("loop variable") {
            self = .installTimeLoop
        } else {
            return nil
        }
    }
}

@Suite("Resource finder over the corpus")
struct CorpusResolutionTests {
    /// The figures of issue 13 §1 on chocolatey-community/chocolatey-packages @ 7b9ddd8: they may only go up.
    /// Raise them when the finder improves; a drop is a regression.
    static let packagesCallingHelpers = 104
    static let fullyResolved = 95
    /// The KB packages calling the extension wrapper `Install-WindowsUpdate` (not counted in the 104, as in the
    /// reference's §6), all resolved.
    static let windowsUpdatePackages = ["KB2670838", "KB2999226"]
    static let remoteResources = 124
    /// Every package not fully resolved, with the groups of its reasons. Each is out of reach statically:
    /// the URL depends on the machine, the network or a file the package does not contain.
    static let expectedUnresolved: [String: Set<UnresolvedGroup>] = [
        "firefox": [.machineCondition],
        "kingsoft-office-free": [.template],
        "libreoffice-help": [.template, .installTimeCommand, .installTimeLoop],
        "libreoffice-streams": [.installTimeCommand],
        "pandafreeantivirus": [.template],
        "php_5.3.x": [.installTimeCommand],
        "php_5.4.x": [.installTimeCommand],
        "php_5.5.x": [.installTimeCommand],
        "thunderbird": [.installTimeCommand]
    ]

    @Test func communityPackagesResolve() throws {
        let folders = Corpus.folders("chocolatey-packages")
        try #require(folders.count == 320, "corpus not found at \(Corpus.root); set CCM_UPGRADE_CORPUS")
        var callers = 0
        var resolved = 0
        var resources = 0
        var unresolved: [String: Set<UnresolvedGroup>] = [:]
        var unclassified: [String] = []
        var windowsUpdate: [String] = []
        var windowsUpdateResources = 0
        for folder in folders {
            let scripts = (try? PackageScripts.readNow(folder)) ?? Corpus.templateScripts(folder)
            let report = ResourceFinder.find(in: scripts)
            guard !report.helperCalls.isEmpty else {
                #expect(report.resources.isEmpty && report.unresolved.isEmpty)
                continue
            }
            if !report.resources.isEmpty, report.resources.allSatisfy({ $0.helper == "Install-WindowsUpdate" }) {
                windowsUpdate.append(scripts.id)
                #expect(report.isFullyResolved, "\(report.unresolved)")
                windowsUpdateResources += report.resources.count
                continue
            }
            callers += 1
            resources += report.resources.count
            if report.isFullyResolved { resolved += 1 }
            let name = (folder as NSString).lastPathComponent
            for item in report.unresolved {
                if let group = UnresolvedGroup(reason: item.reason) {
                    unresolved[name, default: []].insert(group)
                } else {
                    unclassified.append("\(name) \(item.call.location): \(item.reason)")
                }
            }
        }
        print(
            "corpus: \(resolved) of \(callers) packages calling a download helper fully resolved; \(resources) remote resources; \(windowsUpdate) through Install-WindowsUpdate, \(windowsUpdateResources) resources"
        )
        #expect(callers == Self.packagesCallingHelpers)
        #expect(resolved == Self.fullyResolved)
        #expect(resolved * 10 >= callers * 9, "goal: at least 90 %")
        #expect(resources == Self.remoteResources)
        #expect(windowsUpdate == Self.windowsUpdatePackages)
        #expect(unresolved == Self.expectedUnresolved)
        #expect(unclassified.isEmpty, "\(unclassified)")
    }
}
