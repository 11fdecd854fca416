import Foundation
import Internalization
import PowerShell
import Testing

/// The .NET prerequisites CCM installs (corpus dotnet-packages/): every resource resolved, with the URLs and
/// checksums their data files and scripts give.
@Suite("Resource finder on the .NET prerequisites")
struct DotNetPrerequisitesTests {
    static let folder = Corpus.root + "/dotnet-packages"

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path)))
    }

    /// A package from the corpus folder; the DC packages without a nuspec in the corpus get their id and
    /// version from their data file, and dotnet-10.0-aspnetruntime its install script from the shared DC
    /// script (the corpus copy under dotnet-10.0-runtime, as its nuspec's `<files>` maps it).
    static func package(_ name: String) throws -> PackageScripts {
        switch name {
        case "dotnet-10.0-runtime", "dotnetfx":
            return try PackageScripts.readNow(folder + "/" + name)
        case "dotnet-10.0-aspnetruntime":
            return PackageScripts(
                id: name, version: "10.0.9",
                files: [
                    "tools/data.ps1": try bytes("dotnet-10.0-aspnetruntime/tools/data.ps1"),
                    "tools/ChocolateyInstall.ps1": try bytes("dotnet-10.0-runtime/tools/ChocolateyInstall.ps1")
                ])
        case "dotnet-aspnetcoremodule-v2":
            return PackageScripts(
                id: name, version: "20.0.26107",
                files: [
                    "tools/data.ps1": try bytes("dotnet-aspnetcoremodule-v2/tools/data.ps1"),
                    "tools/ChocolateyInstall.ps1": try bytes("dotnet-aspnetcoremodule-v2/tools/ChocolateyInstall.ps1")
                ])
        default:
            return PackageScripts(
                id: "DotNet4.5.2", version: "4.5.2.20140902",
                files: ["Tools/ChocolateyInstall.ps1": try bytes("dotnet4.5.2/Tools/ChocolateyInstall.ps1")])
        }
    }

    struct Expected: Sendable, CustomStringConvertible {
        var package: String
        var resources: [(url: String, architecture: RemoteResource.Architecture, checksum: String?, type: String?, site: String)]
        var description: String { package }
    }

    static let runtime = "https://builds.dotnet.microsoft.com/dotnet/Runtime/10.0.9/dotnet-runtime-10.0.9-win-"
    static let aspnet = "https://builds.dotnet.microsoft.com/dotnet/aspnetcore/Runtime/10.0.9/aspnetcore-runtime-10.0.9-win-"
    static let hosting = "https://builds.dotnet.microsoft.com/dotnet/aspnetcore/Runtime/10.0.7/dotnet-hosting-10.0.7-win.exe"
    static let hostingSum =
        "fa14ffc28182d2de274759047f9498bff21f2a346cc756a8958a653e1bacdb700776d7598f1974acac48b787476b2ba01d99b1d61d8db59fdb82de3ff06aed07"

    static let expectations: [Expected] = [
        Expected(
            package: "dotnet-10.0-runtime",
            resources: [
                (
                    runtime + "x86.exe", .x86,
                    "029e7e7e5b34581b443928aae4ecc7a9342eb078e71a01db8721d76bbb13869c1a08bfde744100a9e1d0a9c147020c3ab31011a9bb83397f82d202fa084cb413",
                    "sha512", "$data.Url"
                ),
                (
                    runtime + "x64.exe", .x64,
                    "b1fc25347750b6dbfa91fdf2f6d3615cc370582b299328bea6e09218f19386088d5170e739a16caab04ffa0a0a1aa5ae301ea542f3604b62c40da88e82d06093",
                    "sha512", "$data.Url64"
                )
            ]),
        Expected(
            package: "dotnet-10.0-aspnetruntime",
            resources: [
                (
                    aspnet + "x86.exe", .x86,
                    "6e2a69ec7b648a048bfde310bfff7f3f60180f91221818d09cea3c5730d343cee5457ff6c718afb65194425a57023452d8d9d7e6b287196040b67e5d226c4c8b",
                    "sha512", "$data.Url"
                ),
                (
                    aspnet + "x64.exe", .x64,
                    "6cebce3b5bb92939f9c2297505321a28607ead7398b99c6d195890c04a6f22bb468879a039efad66199d917b6f298fc78047fd5e2e7a159d8bb32023ea7dfa7b",
                    "sha512", "$data.Url64"
                )
            ]),
        Expected(
            package: "dotnet-aspnetcoremodule-v2",
            resources: [
                (hosting, .x86, hostingSum, "sha512", "$data.Url"), (hosting, .x64, hostingSum, "sha512", "$data.Url64")
            ]),
        Expected(
            package: "dotnetfx",
            resources: [
                (
                    "https://download.visualstudio.microsoft.com/download/pr/2d6bb6b2-226a-4baa-bdec-798822606ff1/8494001c276a4b96804cde7829c04d7f/ndp48-x86-x64-allos-enu.exe",
                    .any, "68C9986A8DCC0214D909AA1F31BEE9FB5461BB839EDCA996A75B08DDFFC1483F", "sha256",
                    "'https://download.visualstudio.microsoft.com/download/pr/2d6bb6b2-226a-4baa-bdec-798822606ff1/8494001c276a4b96804cde7829c04d7f/ndp48-x86-x64-allos-enu.exe'"
                )
            ]),
        Expected(
            package: "dotnet4.5.2",
            resources: [
                (
                    "http://download.microsoft.com/download/E/2/1/E21644B5-2DF2-47C2-91BD-63C560427900/NDP452-KB2901907-x86-x64-AllOS-ENU.exe", .any,
                    nil, nil,
                    "'http://download.microsoft.com/download/E/2/1/E21644B5-2DF2-47C2-91BD-63C560427900/NDP452-KB2901907-x86-x64-AllOS-ENU.exe'"
                )
            ])
    ]

    @Test(arguments: expectations)
    func everyResourceResolved(_ expected: Expected) throws {
        let scripts = try Self.package(expected.package)
        let report = ResourceFinder.find(in: scripts)
        #expect(report.unresolved.isEmpty, "\(report.unresolved)")
        #expect(report.resources.count == expected.resources.count, "\(report.resources.map(\.url))")
        for (resource, want) in zip(report.resources, expected.resources) {
            #expect(resource.url == want.url)
            #expect(resource.architecture == want.architecture)
            #expect(resource.checksum == want.checksum)
            #expect(resource.checksumType == want.type)
            // The site is the expression the URL is written as, in the file's raw bytes (BOM included).
            let text = String(decoding: scripts.files[resource.urlSite.file]![resource.urlSite.start..<resource.urlSite.end], as: UTF8.self)
            #expect(text == want.site)
        }
    }
}
