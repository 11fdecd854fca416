import CurlSupport
import Foundation
import Licensing
import Repository
import Testing

/// The `chocolatey-license` package against the real peers: minchoc takes it and answers a second push of the
/// same bytes as already present; the NuGet 2.8.7 client installs it with the licence file byte for byte.
@Suite("Real peers: the licence package", .serialized)
struct LicensePeerTests {
    /// A made-up licence in a Chocolatey licence's shape (never a real one).
    static func license(type: String = "Business") throws -> ChocolateyLicense {
        let xml = """
            <?xml version="1.0" encoding="utf-8"?>\r
            <license id="9e8d7c6b-5a49-4838-a726-150f0e0d0c0b" expiration="2099-01-31T00:00:00.0000000" type="\(type)">\r
              <name>Peer Test Corp [5 Nodes]</name>\r
              <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignatureValue>eA==</SignatureValue></Signature>\r
            </license>\r

            """
        return try LicenseReader.parse([0xEF, 0xBB, 0xBF] + Array(xml.utf8), file: "chocolatey.license.xml")
    }

    @Test func licencePackagePushIsIdempotentOnMinchoc() async throws {
        let peer = try await MinchocPeer()
        let feed = V2Feed(url: peer.source, apiKey: Secret(peer.apiKey), pushURL: V2Feed.pushURL(for: peer.pushSource), http: testClient())
        let folder = try TemporaryDirectory()
        defer { folder.cleanup() }
        let built = try LicensePackage.build(try Self.license(), outputDirectory: folder.path + "/a")
        #expect(try await feed.push(fileAt: built.path).outcome == .pushed(status: 201))
        let rebuilt = try LicensePackage.build(try Self.license(), outputDirectory: folder.path + "/b")
        #expect(try await feed.push(fileAt: rebuilt.path).outcome == .alreadyPresent(status: 400))
        let other = try LicensePackage.build(try Self.license(type: "Architect"), outputDirectory: folder.path + "/c")
        guard case .differentContent = try await feed.push(fileAt: other.path).outcome else {
            Issue.record("a different package under the same version was not reported as a conflict")
            return
        }

        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/nuget") else {
            Issue.record("the nuget 2.8.7 client is missing: apt-get install -y nuget (see docs/feeds.md)")
            return
        }
        let output = try TemporaryDirectory()
        defer { output.cleanup() }
        let version = built.identity.version.normalized
        let result = try run(["timeout", "180", "nuget", "install", "chocolatey-license", "-Version", version, "-Source", peer.source,
                              "-OutputDirectory", output.path, "-NonInteractive"], directory: "/",
                             environment: ["HOME": output.path, "XDG_CONFIG_HOME": output.path])
        #expect(result.status == 0, "\(result.output)")
        let installed = output.path + "/chocolatey-license.\(version)/tools/chocolatey.license.xml"
        #expect(FileManager.default.contents(atPath: installed).map(Array.init) == (try Self.license()).bytes, "\(result.output)")
    }
}
