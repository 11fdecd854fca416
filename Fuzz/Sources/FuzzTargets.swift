import Compatibility
import Deployment
import FileSupport
import Foundation
import Internalization
import Licensing
import Nupkg
import Planning
import RemoteHosts
import Repository
import Versioning

/// One fuzz target: a name for the command line and the reader it feeds untrusted bytes to. A target only
/// has to return; errors are the expected answer to hostile input, a trap or a sanitizer report is the bug.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "nuspec", summary: "NuspecReader (Nupkg)") { bytes in
            _ = try? NuspecReader.read(bytes, source: "fuzz.nuspec")
        },
        FuzzTarget(name: "version", summary: "NuGetVersion and VersionRange parsing (Versioning)") { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let strict = try? NuGetVersion(parsing: text, mode: .strict)
            let lenient = try? NuGetVersion(parsing: text)
            // Exercise what the planner does with a parsed version: print, compare, match against a range.
            if let lenient { _ = NuGetVersion(lenient.description); _ = strict.map { NuGetVersion.compare($0, lenient) } }
            if let range = try? VersionRange(parsing: text) {
                _ = range.description
                if let lenient { _ = range.contains(lenient) }
                _ = range.intersection(.all)
            }
        },
        FuzzTarget(name: "v2feed", summary: "v2 OData Atom pages and dependency strings (Repository)") { bytes in
            _ = try? V2FeedParser.parse(bytes, url: "https://fuzz.invalid/api/v2/FindPackagesById()", queriedId: "fuzz")
            _ = V2FeedParser.parseDependencies(String(decoding: bytes, as: UTF8.self))
        },
        FuzzTarget(name: "v3feed", summary: "v3 service index, flat container and registration JSON (Repository)") { bytes in
            let url = "https://fuzz.invalid/v3/index.json"
            _ = try? V3ServiceIndex.parse(bytes, url: url)
            _ = try? V3Parsers.flatContainerVersions(bytes, url: url)
            _ = try? V3Parsers.registration(bytes, url: url)
        },
        FuzzTarget(name: "inventory", summary: "inventory YAML/JSON (Compatibility)") { bytes in
            guard let text = try? TextFile.decode(bytes, path: "fuzz.yaml") else { return }
            _ = try? Inventory.parse(text, file: "fuzz.yaml")
        },
        FuzzTarget(name: "parameters", summary: "upgrade parameters YAML (Planning)") { bytes in
            guard let text = try? TextFile.decode(bytes, path: "fuzz.yaml") else { return }
            _ = try? UpgradeParameters.parse(text, file: "fuzz.yaml")
        },
        FuzzTarget(name: "feeds", summary: "feeds.json (Repository FeedSettings)") { bytes in
            // FeedSettings reads a path (it also checks the file's mode), so the input goes through a file.
            // A plain write, not AtomicFile: its fsync would cost more than the parse.
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: ScratchFile.feeds))) != nil else { return }
            _ = try? FeedSettings.load(path: ScratchFile.feeds, environment: [:])
        },
        FuzzTarget(name: "deployment", summary: "deployment-plan JSON: DocumentReader and DeploymentLinter (Deployment)") { bytes in
            _ = DeploymentLinter.lint(Data(bytes), file: "fuzz.json", now: Date(timeIntervalSince1970: 1_800_000_000))
        },
        FuzzTarget(name: "resources", summary: "PowerShell parser, static evaluator and ResourceFinder (PowerShell, Internalization)") { bytes in
            // Raw bytes, as a package's install script (BOM, UTF-16 and invalid UTF-8 included), plus a side file.
            let files = ["tools/chocolateyInstall.ps1": bytes, "tools/helpers.ps1": Array(bytes.reversed())]
            _ = ResourceFinder.find(in: PackageScripts(id: "fuzz", version: "1.0.0", files: files), allURLs: true)
        },
        FuzzTarget(name: "script", summary: "PowerShell script linter (Planning ScriptLinter)") { bytes in
            guard let text = try? TextFile.decode(bytes, path: "fuzz.ps1") else { return }
            _ = ScriptLinter.lint(text, file: "fuzz.ps1")
        },
        FuzzTarget(name: "bundle", summary: "bundle manifest JSON (Repository BundleManifest)") { bytes in
            _ = try? BundleManifest.decode(bytes, bundle: "fuzz.tar")
        },
        FuzzTarget(name: "zipdir", summary: "zip central directory (Nupkg ZipDirectory)") { bytes in
            // ZipDirectory reads a path (it jumps to recorded offsets), so the input goes through a file.
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: ScratchFile.zip))) != nil else { return }
            _ = try? ZipDirectory.read(path: ScratchFile.zip)
            // And the local headers checked against it (what the vet and the streamed verdict rely on).
            _ = try? ZipDirectory.readConsistent(path: ScratchFile.zip)
        },
        FuzzTarget(name: "hostoutput", summary: "what a CCM host prints: choco list and tasklist output (RemoteHosts)") { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            _ = ChocoList(parsing: text)
            _ = TaskList.processIDs(in: text, image: "choco.exe")
        },
        FuzzTarget(name: "license", summary: "chocolatey.license.xml (Licensing LicenseReader)") { bytes in
            // Not registering ids: a fuzz run would grow the process's secret list with every input.
            _ = try? LicenseReader.parse(bytes, file: "fuzz.license.xml", registeringSecrets: false)
        },
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// The scratch files the targets that read a path write each input to (one per process, so parallel jobs do
/// not share them).
enum ScratchFile {
    static let feeds = path("feeds.json")
    static let zip = path("zipdir.zip")

    private static func path(_ name: String) -> String {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(folder)/ccm-upgrade-fuzz-\(getpid())-\(name)"
    }
}
