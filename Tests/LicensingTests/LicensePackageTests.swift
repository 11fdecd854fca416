import Foundation
@testable import Licensing
import Nupkg
import Repository
import Testing
import Versioning

@Suite("licence package")
struct LicensePackageTests {
    static func license(_ xml: String = LicenseFixture.xml(), bom: Bool = false) throws -> ChocolateyLicense {
        try LicenseReader.parse(LicenseFixture.bytes(xml, bom: bom), file: "chocolatey.license.xml")
    }

    @Test("the Quick Start's version scheme: yyyy.MM.dd.<nodes>, normalized")
    func version() throws {
        #expect(LicensePackage.version(for: try Self.license()).normalized == "2027.1.31.25")
        let noNodes = try Self.license(LicenseFixture.xml(name: "Example Corp"))
        #expect(LicensePackage.version(for: noNodes).normalized == "2027.1.31")
    }

    @Test("deterministic bytes: built twice, the same package; the licence inside byte for byte")
    func deterministic() throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let license = try Self.license(LicenseFixture.xml(lineEnd: "\r\n"), bom: true)
        let first = try LicensePackage.build(license, outputDirectory: folder + "/a")
        let second = try LicensePackage.build(license, outputDirectory: folder + "/b")
        #expect(first.identity.fileName == "chocolatey-license.2027.1.31.25.nupkg")
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: first.path))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: second.path))))

        let vetted = try PackageVetter.vet(first.path)
        #expect(vetted.nuspec.id == "chocolatey-license")
        #expect(vetted.nuspec.version.normalized == "2027.1.31.25")
        #expect(vetted.nuspec.namespace == "http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd")
        let extracted = folder + "/x"
        _ = try PackageExtractor.extract(first.path, to: extracted)
        let inside = try Data(contentsOf: URL(fileURLWithPath: extracted + "/tools/chocolatey.license.xml"))
        #expect(Array(inside) == license.bytes)
        let install = try String(contentsOfFile: extracted + "/tools/chocolateyInstall.ps1", encoding: .utf8)
        #expect(install.contains("Join-Path $env:ChocolateyInstall 'license'"))
        #expect(FileManager.default.fileExists(atPath: extracted + "/tools/chocolateyUninstall.ps1"))
    }

    @Test("a different licence gives different bytes; --package-version overrides the scheme")
    func differs() throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let one = try LicensePackage.build(try Self.license(), outputDirectory: folder + "/a")
        let other = try LicensePackage.build(try Self.license(LicenseFixture.xml(type: "Architect")), outputDirectory: folder + "/b")
        #expect(one.identity == other.identity)
        #expect(try Data(contentsOf: URL(fileURLWithPath: one.path)) != Data(contentsOf: URL(fileURLWithPath: other.path)))
        let overridden = try LicensePackage.build(try Self.license(), version: NuGetVersion(parsing: "2027.1.31.26"), outputDirectory: folder + "/c")
        #expect(overridden.identity.fileName == "chocolatey-license.2027.1.31.26.nupkg")
    }

    @Test("push to a folder feed is idempotent; different bytes under the same version are refused, nothing overwritten")
    func pushIdempotent() async throws {
        let folder = try LicenseFixture.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feed = FolderFeed(path: folder + "/feed")
        try FileManager.default.createDirectory(atPath: folder + "/feed", withIntermediateDirectories: true)
        let built = try LicensePackage.build(try Self.license(), outputDirectory: folder + "/a")
        let first = try await feed.push(fileAt: built.path)
        guard case .pushed = first.outcome else { Issue.record("first push: \(first.outcome)"); return }
        let rebuilt = try LicensePackage.build(try Self.license(), outputDirectory: folder + "/b")
        let again = try await feed.push(fileAt: rebuilt.path)
        guard case .alreadyPresent = again.outcome else { Issue.record("second push: \(again.outcome)"); return }
        let other = try LicensePackage.build(try Self.license(LicenseFixture.xml(type: "Architect")), outputDirectory: folder + "/c")
        let conflict = try await feed.push(fileAt: other.path)
        guard case .differentContent = conflict.outcome else { Issue.record("conflicting push: \(conflict.outcome)"); return }
        let stored = try await feed.package(id: "chocolatey-license", version: built.identity.version)
        #expect(stored != nil)
    }

    @Test("public repositories are refused as targets")
    func publicTargets() {
        #expect(LicensePackage.publicRepositoryProblem("https://push.chocolatey.org/") != nil)
        #expect(LicensePackage.publicRepositoryProblem("https://community.chocolatey.org/api/v2/") != nil)
        #expect(LicensePackage.publicRepositoryProblem("https://nexus.example.com/repository/choco/") == nil)
        #expect(LicensePackage.publicRepositoryProblem("/srv/feed") == nil)
    }
}
