import Foundation
import TestSupport
import Testing

@Suite("inspect --resources")
struct InspectResourcesTests {
    static let packages = Tool.corpus + "/chocolatey-packages"

    @Test func sourceFoldersResolvedAndNot() throws {
        let resolved = try Tool.run(["inspect", "--resources", Self.packages + "/vcredist140"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(resolved.stdout.contains("every resource resolved"))
        #expect(resolved.stdout.contains("64-bit https://download.visualstudio.microsoft.com/"))
        #expect(resolved.stdout.contains("Install-ChocolateyPackage at tools/chocolateyInstall.ps1:82"))
        // A URL known only at install time: listed with file:line and why, exit 1.
        let unresolved = try Tool.run(["inspect", "--resources", Self.packages + "/thunderbird"])
        #expect(unresolved.status == 1)
        #expect(unresolved.stdout.contains("unresolved: Install-ChocolateyPackage at tools/chocolateyInstall.ps1:"))
    }

    @Test func jsonListsEveryPackage() throws {
        let result = try Tool.run([
            "inspect", "--resources", "--format", "json", Self.packages + "/1password4", Self.packages + "/7zip.install",
            Self.packages + "/kingsoft-office-free"
        ])
        #expect(result.status == 1, "the template source's nuspec is no package")
        struct Document: Decodable {
            struct Package: Decodable {
                struct Resource: Decodable {
                    let url: String
                    let checksumType: String?
                }
                let id: String
                let resolved: Bool
                let helperCalls: Int
                let resources: [Resource]
            }
            struct Failure: Decodable { let path: String }
            let packages: [Package]
            let errors: [Failure]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(result.stdout.utf8))
        #expect(document.packages.map(\.id) == ["1password4", "7zip.install"])
        #expect(document.packages[0].resolved && document.packages[0].resources.first?.checksumType == "sha256")
        #expect(document.packages[1].helperCalls == 0 && document.packages[1].resources.isEmpty)
        #expect(document.errors.map(\.path) == [Self.packages + "/kingsoft-office-free"])
        #expect(result.stderr.components(separatedBy: "error:").count == 2, "one error line: \(result.stderr)")
    }

    @Test func badInput() throws {
        let missing = try Tool.run(["inspect", "--resources", "/nonexistent/pkg"])
        #expect(missing.status == 2 && missing.stderr.contains("/nonexistent/pkg: no such file or folder"))
        let flag = try Tool.run(["inspect", "--all-urls", Self.packages + "/vcredist140"])
        #expect(flag.status == 2 && flag.stderr.contains("--all-urls needs --resources"))
    }
}
