import Crypto
import CurlSupport
import Foundation
import Internalization
import Nupkg
import PowerShell
import Repository
import TestSupport

/// The TEST FIXTURE resource server (Tests/Fixtures/resource-server/resource_server.py) holding generated installers.
final class ResourceServer {
    let server: FixtureServer
    let root: TemporaryDirectory
    let logPath: String

    init() throws {
        root = try TemporaryDirectory()
        logPath = root.path + "/.requests.log"
        server = try FixtureServer(script: "Tests/Fixtures/resource-server/resource_server.py", arguments: [root.path, logPath],
                                   name: "resource server")
    }

    deinit { root.cleanup() }

    func url(_ mode: String, _ name: String) -> String { "http://127.0.0.1:\(server.port)/\(mode)/\(name)" }
    var requests: [String] { FixtureServer.lines(of: logPath) }

    /// Writes `size` seeded pseudo-random bytes as `name` and returns them.
    @discardableResult
    func installer(_ name: String, size: Int, seed: UInt64) -> [UInt8] {
        let bytes = Generated.bytes(size: size, seed: seed)
        _ = FileManager.default.createFile(atPath: root.path + "/" + name, contents: Data(bytes))
        return bytes
    }
}

enum Generated {
    static func bytes(size: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<size).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }
    static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
    static func sha512(_ bytes: [UInt8]) -> String { hex(SHA512.hash(data: bytes)) }
    static func sha1(_ bytes: [UInt8]) -> String { hex(Insecure.SHA1.hash(data: bytes)) }
    static func md5(_ bytes: [UInt8]) -> String { hex(Insecure.MD5.hash(data: bytes)) }

    static func nuspec(id: String, version: String, dependencies: [String] = []) -> [UInt8] {
        let dependencyXML = dependencies.isEmpty ? ""
            : "<dependencies>" + dependencies.map { "<dependency id=\"\($0)\" version=\"1.0.0\" />" }.joined() + "</dependencies>"
        return Array("""
        <?xml version="1.0" encoding="utf-8"?>
        <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
          <metadata><id>\(id)</id><version>\(version)</version><authors>test</authors><description>generated test package</description>\(dependencyXML)</metadata>
        </package>
        """.utf8)
    }
}

/// A generated test package: its scripts, and the report a resource finder gives for them (STAND-IN for the
/// PowerShell reader's ResourceFinder: spans located by searching the generated text, which the generator knows).
struct GeneratedPackage {
    var id: String
    var version = "1.0.0"
    var scripts: [String: [UInt8]]
    var resources: [RemoteResource] = []
    var unresolved: [UnresolvedResource] = []
    var dependencies: [String] = []

    var report: ResourceReport { ResourceReport(id: id, version: version, resources: resources, unresolved: unresolved) }

    func write(to folder: String) throws -> String {
        let path = folder + "/\(id).\(version).nupkg"
        try PackageWriter.write(nuspecXML: Generated.nuspec(id: id, version: version, dependencies: dependencies),
                                files: scripts.keys.sorted().map { PackageWriter.File(target: $0, content: .bytes(scripts[$0]!)) }, to: path)
        return path
    }

    /// Adds a resource whose URL literal `'url'` sits in `file`.
    mutating func resource(_ url: String, in file: String = "tools/chocolateyInstall.ps1", architecture: RemoteResource.Architecture = .any,
                           checksum: String?, type: String?, insertAfter: String? = nil, style: RemoteResource.InsertionStyle? = nil) {
        let bytes = scripts[file]!
        let site = Self.span(of: "'\(url)'", in: bytes, file: file)
        let insertion = insertAfter.map { Self.span(of: $0, in: bytes, file: file) }
        resources.append(RemoteResource(url: url, architecture: architecture, checksum: checksum, checksumType: type, helper: "Install-ChocolateyPackage",
                                        call: site, urlSite: site, insertion: insertion, insertionStyle: insertion == nil ? nil : style))
    }

    static func span(of text: String, in bytes: [UInt8], file: String) -> SourceSpan {
        let needle = Array(text.utf8)
        let start = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }!
        let line = bytes[..<start].filter { $0 == 0x0A }.count + 1
        return SourceSpan(file: file, line: line, column: 1, start: start, end: start + needle.count)
    }

    // MARK: The script shapes of the corpus

    /// A splatted hashtable with url/url64bit (sha256 and sha512).
    static func splat(_ server: ResourceServer, id: String = "splat", mode: String = "files") -> GeneratedPackage {
        let a = server.installer("\(id)-x86.exe", size: 180_000, seed: 11), b = server.installer("\(id)-x64.exe", size: 220_000, seed: 12)
        let u32 = server.url(mode, "\(id)-x86.exe"), u64 = server.url(mode, "\(id)-x64.exe")
        let text = """
        $ErrorActionPreference = 'Stop'
        $toolsDir = Split-Path -Parent $MyInvocation.MyCommand.Definition
        $packageArgs = @{
          packageName    = $env:ChocolateyPackageName
          fileType       = 'exe'
          url            = '\(u32)'
          url64bit       = '\(u64)'
          checksum       = '\(Generated.sha256(a).uppercased())'
          checksumType   = 'sha256'
          checksum64     = '\(Generated.sha512(b))'
          checksumType64 = 'sha512'
          silentArgs     = '/S'
          validExitCodes = @(0, 3010)
        }
        Install-ChocolateyPackage @packageArgs

        """
        var package = GeneratedPackage(id: id, scripts: ["tools/chocolateyInstall.ps1": Array(text.utf8)])
        package.resource(u32, architecture: .x86, checksum: Generated.sha256(a).uppercased(), type: "sha256")
        package.resource(u64, architecture: .x64, checksum: Generated.sha512(b), type: "sha512")
        return package
    }

    /// Positional arguments, md5 by default (no checksum type).
    static func positional(_ server: ResourceServer) -> GeneratedPackage {
        let a = server.installer("positional.msi", size: 90_000, seed: 21)
        let url = server.url("files", "positional.msi")
        let text = "Install-ChocolateyPackage 'positional' 'msi' '/qn /norestart' '\(url)' -Checksum '\(Generated.md5(a))' -ValidExitCodes @(0, 1641)\r\n"
        var package = GeneratedPackage(id: "positional", scripts: ["tools/chocolateyInstall.ps1": Array(text.utf8)])
        package.resource(url, checksum: Generated.md5(a), type: nil)
        return package
    }

    /// Named parameters over backtick continuations (sha1).
    static func named(_ server: ResourceServer) -> GeneratedPackage {
        let a = server.installer("named-tool.zip", size: 60_000, seed: 31)
        let url = server.url("files", "named-tool.zip")
        let text = """
        $toolsDir = Split-Path $MyInvocation.MyCommand.Definition
        Get-ChocolateyWebFile -PackageName 'named' -FileFullPath "$toolsDir\\tool.zip" `
          -Url '\(url)' `
          -Checksum '\(Generated.sha1(a))' -ChecksumType 'sha1'
        Get-ChocolateyUnzip -FileFullPath "$toolsDir\\tool.zip" -Destination $toolsDir

        """
        var package = GeneratedPackage(id: "named", scripts: ["tools/chocolateyInstall.ps1": Array(text.utf8)])
        package.resource(url, checksum: Generated.sha1(a), type: "sha1")
        return package
    }

    /// A `data.ps1` returning a hashtable, read with `& (Join-Path …)` as the .NET packages do (sha512).
    static func dataFile(_ server: ResourceServer) -> GeneratedPackage {
        let a = server.installer("datafile-setup.exe", size: 120_000, seed: 41)
        let url = server.url("files", "datafile-setup.exe")
        let data = "@{\n  Url          = '\(url)'\n  Checksum     = '\(Generated.sha512(a))'\n  ChecksumType = 'sha512'\n}\n"
        let install = """
        $data = & (Join-Path -Path (Split-Path -Path $MyInvocation.MyCommand.Path) -ChildPath data.ps1)
        Install-ChocolateyPackage -PackageName 'datafile' -FileType 'exe' -SilentArgs '/install /quiet' `
          -Url $data.Url -Checksum $data.Checksum -ChecksumType $data.ChecksumType

        """
        var package = GeneratedPackage(id: "datafile", scripts: ["tools/chocolateyInstall.ps1": Array(install.utf8), "tools/data.ps1": Array(data.utf8)])
        package.resource(url, in: "tools/data.ps1", checksum: Generated.sha512(a), type: "sha512")
        return package
    }
}

/// Runs the internalizer on generated packages from a folder source to a folder target.
struct EmbeddingRun {
    let source: TemporaryDirectory
    let target: TemporaryDirectory
    let work: TemporaryDirectory
    var reports: [String: ResourceReport] = [:]

    init() throws {
        source = try TemporaryDirectory()
        target = try TemporaryDirectory()
        work = try TemporaryDirectory()
    }

    func cleanup() { source.cleanup(); target.cleanup(); work.cleanup() }

    mutating func add(_ package: GeneratedPackage) throws {
        _ = try package.write(to: source.path)
        reports[package.id.lowercased()] = package.report
    }

    func settings(allowMissingChecksums: Bool = false, placement: ResourcePlacement = .embedded, location: ResourceLocation? = nil,
                  neverModified: Set<String> = [], copyUnresolved: Set<String> = [], work: String? = nil) -> EmbedSettings {
        let reports = reports
        let folder = work ?? self.work.path
        let finder: ResourceFinding = { path in
            let nuspec = try PackageReader.readManifest(at: path)
            return reports[nuspec.id.lowercased()] ?? ResourceReport(id: nuspec.id, version: nuspec.version.normalized, resources: [], unresolved: [])
        }
        return EmbedSettings(fetcher: ResourceFetcher(http: testClient(attempts: 3), cacheDirectory: folder + "/resources",
                                                      allowMissingChecksums: allowMissingChecksums),
                             finder: finder, placement: placement, location: location, neverModified: neverModified,
                             licensedSources: ["licensed"], copyUnresolved: copyUnresolved, outputDirectory: folder + "/internalized")
    }

    func run(_ ids: [String], settings: EmbedSettings, target: String? = nil, work: String? = nil) async -> InternalizeSummary {
        var internalizer = Internalizer(sources: ["src": FolderFeed(path: source.path)], target: FolderFeed(path: target ?? self.target.path),
                                        workDirectory: work ?? self.work.path, journal: nil)
        internalizer.embedding = settings
        return await internalizer.run(ids.map { PackageRequest(id: $0, source: "src") })
    }

    /// The pushed package of `id` in `folder` (the target by default).
    func pushed(_ id: String, in folder: String? = nil) -> String { (folder ?? target.path) + "/\(id).1.0.0.nupkg" }
}

/// Extracts a package into a new folder and returns the folder.
func extracted(_ package: String) throws -> TemporaryDirectory {
    let folder = try TemporaryDirectory()
    try PackageExtractor.extract(package, to: folder.path + "/x")
    return folder
}

/// The real-grammar check (tree-sitter-powershell) of every rewritten script, or nil with the reason it
/// cannot run (the peer venv is missing: scripts/peers/tree-sitter-setup.sh).
func grammarCheck(original: String, rewritten: String) throws -> (status: Int32, output: String)? {
    let python = (ProcessInfo.processInfo.environment["CCM_PEERS_DIR"] ?? Corpus.checkout.appendingPathComponent(".build-peers").path)
        + "/tree-sitter/venv/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
    return try run([python, Corpus.checkout.path + "/Tests/Fixtures/ps-grammar/check_rewrite.py", original, rewritten])
}
