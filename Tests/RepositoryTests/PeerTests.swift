import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing
import Versioning

/// A free TCP port on 127.0.0.1 (bound to port 0, read back, released).
func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw FakeFeedError(message: "socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    guard bound else { throw FakeFeedError(message: "bind() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// The real minchoc server (PyPI), prepared by scripts/peers/minchoc-setup.sh, on a fresh database copy.
final class MinchocPeer {
    static let directory = ProcessInfo.processInfo.environment["CCM_PEERS_DIR"].map { $0 + "/minchoc" }
        ?? Corpus.checkout.appendingPathComponent(".build-peers/minchoc").path
    let process = Process()
    let port: Int
    let work: TemporaryDirectory
    let apiKey: String

    var source: String { "http://127.0.0.1:\(port)/api/v2/" }
    /// minchoc takes pushes at /api/v2/package/: NuGet's rule gives that path for a host-only source.
    var pushSource: String { "http://127.0.0.1:\(port)/" }

    init() async throws {
        let python = Self.directory + "/venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python),
              let key = try? String(contentsOfFile: Self.directory + "/apikey", encoding: .utf8) else {
            throw FakeFeedError(message: "minchoc peer missing at \(Self.directory): run scripts/peers/minchoc-setup.sh")
        }
        apiKey = key.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        work = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.directory + "/template.sqlite3", toPath: work.path + "/db.sqlite3")
        port = try freePort()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.directory + "/manage.py", "runserver", "127.0.0.1:\(port)", "--noreload"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["MINCHOC_DB": work.path + "/db.sqlite3", "MINCHOC_MEDIA": work.path + "/packages"]) { $1 }
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Wait until it answers (Django needs a moment to start).
        let probe = HTTPClient(transport: CurlTransport(options: TransportOptions(connectTimeout: 2)), retry: .none)
        for _ in 0..<100 {
            if let response = try? await probe.send(HTTPRequest(url: source + "FindPackagesById()?id='probe'")), response.status == 200 { return }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw FakeFeedError(message: "minchoc did not start on port \(port)")
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        work.cleanup()
    }
}

@Suite("Real peers: minchoc server and the nuget 2.8.7 client", .serialized)
struct PeerTests {
    static let package = "NonStrongNameB.1.0.0.0.nupkg"

    @Test func pushReadBackAndDownloadByteIdenticalOnMinchoc() async throws {
        let peer = try await MinchocPeer()
        let feed = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        let pushed = try await feed.push(fileAt: Corpus.package(Self.package))
        #expect(pushed.outcome == .pushed(status: 201))
        let versions = try await feed.versions(of: "NonStrongNameB")
        #expect(versions.map(\.version.normalized) == ["1.0.0"])
        #expect(versions.first?.sha512 == nil, "minchoc publishes no PackageHash")
        // `1.0.0` finds minchoc's `1.0.0.0` through the FindPackagesById fallback (minchoc matches ids case-sensitively).
        let exact = try #require(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "1.0.0")))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let downloaded = try await feed.download(exact, toDirectory: output.path)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(Self.package)))
        // minchoc answers 400 to a duplicate: read back, same bytes, so already present.
        let again = try await feed.push(fileAt: Corpus.package(Self.package))
        #expect(again.outcome == .alreadyPresent(status: 400))
    }

    @Test func nugetClientInstallsWhatWasPushed() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nuget") else {
            Issue.record("the nuget 2.8.7 client is missing: apt-get install -y nuget (see docs/feeds.md)")
            return
        }
        let peer = try await MinchocPeer()
        let feed = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        #expect(try await feed.push(fileAt: Corpus.package(Self.package)).outcome == .pushed(status: 201))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let result = try run(["timeout", "180", "nuget", "install", "NonStrongNameB", "-Version", "1.0.0.0", "-Source", peer.source,
                              "-OutputDirectory", output.path, "-NonInteractive"], directory: "/",
                             environment: ["HOME": output.path, "XDG_CONFIG_HOME": output.path])
        #expect(result.status == 0, "\(result.output)")
        let installed = output.path + "/NonStrongNameB.1.0.0.0/NonStrongNameB.1.0.0.0.nupkg"
        #expect(FileManager.default.contentsEqual(atPath: installed, andPath: Corpus.package(Self.package)), "\(result.output)")
    }

    /// minchoc 0.2.0 ignores `Range`: a leftover `.partial`, cut short or complete, restarts from byte 0 (it
    /// failed with curl's error 33 "Cannot resume", or "expected N bytes, received 0").
    @Test(arguments: ["half", "complete"])
    func leftoverPartialRestartsOnMinchoc(_ leftover: String) async throws {
        let peer = try await MinchocPeer()
        let feed = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        #expect(try await feed.push(fileAt: Corpus.package(Self.package)).outcome == .pushed(status: 201))
        let remote = try #require(try await feed.package(id: "NonStrongNameB", version: try NuGetVersion(parsing: "1.0.0")))
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let original = try Corpus.bytes("nupkg/real/" + Self.package)
        let destination = output.path + "/" + remote.identity.fileName
        try Data(leftover == "half" ? Array(original.prefix(original.count / 2)) : original).write(to: URL(fileURLWithPath: destination + ".partial"))
        let downloaded = try await feed.download(remote, toDirectory: output.path)
        #expect(FileManager.default.contentsEqual(atPath: downloaded.path, andPath: Corpus.package(Self.package)))
    }

    /// minchoc publishes no hash: internalize reads the package back and calls other bytes a conflict, as push does.
    @Test func internalizeCallsOtherBytesOnMinchocAConflict() async throws {
        let peer = try await MinchocPeer()
        let target = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        let built = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { built.cleanup(); work.cleanup() }
        let theirs = try Built.package("Minchoc.Conflict", "1.0.0", in: built.path, payload: "on the target")
        #expect(try await target.push(fileAt: theirs).outcome == .pushed(status: 201))
        try FileManager.default.removeItem(atPath: theirs)
        let ours = try Built.package("Minchoc.Conflict", "1.0.0", in: built.path, payload: "from the source")
        let source = try FakeFeed(files: [ours], arguments: ["--no-hash"])
        let internalizer = Internalizer(sources: ["src": V2Feed(url: source.v2, http: testClient())], target: target,
                                        workDirectory: work.path, journal: nil)
        let summary = await internalizer.run([PackageRequest(id: "Minchoc.Conflict", source: "src")])
        #expect(summary.items.map(\.status) == [.differentContent], "\(summary.text)")
        let pushed = try await target.push(fileAt: ours)
        guard case .differentContent = pushed.outcome else { Issue.record("push said \(pushed.outcome)"); return }
    }
}
