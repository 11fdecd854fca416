import Foundation
import Nupkg
import Versioning

/// The `chocolatey-license` package that carries a licence file to every machine, laid out as Chocolatey's
/// Quick Start builds it (`Create-ChocoLicensePkg.ps1`, choco-quickstart-scripts): id `chocolatey-license`,
/// version `yyyy.MM.dd.<nodes>` from the expiration date and the node count, and `tools/` holding the licence
/// file verbatim plus an install script that copies it to `$env:ChocolateyInstall\license\` and an
/// uninstall script that removes it.
///
/// The bytes depend only on the licence file and the version (``PackageWriter``'s fixed timestamps and
/// ordering), so building twice gives the same package, and a push of an unchanged licence is a no-op.
public enum LicensePackage {
    /// The package id the Quick Start uses (its `$LicensePackageId` default). Not a CCM package: the
    /// organisation builds it, so it is not in the CCM catalogue.
    public static let id = "chocolatey-license"
    /// Where Chocolatey reads the licence from on every machine.
    public static let installedPath = #"$env:ChocolateyInstall\license\chocolatey.license.xml"#

    /// The Quick Start's version scheme: the expiration day (UTC) as `yyyy.MM.dd`, then `.nodes` when the
    /// name carries a node count. Written normalized (`2027.1.31.25`), as Chocolatey CLI 2.x packs it.
    public static func version(for license: ChocolateyLicense) -> NuGetVersion {
        let parts = ChocolateyLicense.utcCalendar.dateComponents([.year, .month, .day], from: license.expiration)
        return NuGetVersion(major: parts.year ?? 0, minor: parts.month ?? 0, patch: parts.day ?? 0, revision: max(0, license.nodeCount ?? 0))
    }

    /// The nuspec for `version` (the Quick Start's metadata, in ccm-upgrade's words). The namespace is the
    /// lowest the content needs (NuspecWriter's rule), 2010/07, not the Quick Start's 2015/06: the metadata has
    /// no Chocolatey-only element, and NuGet-based servers and the NuGet 2.8.7 client then read it too.
    public static func nuspec(version: NuGetVersion) -> String {
        let description = [
            "Installs the organisation's Chocolatey commercial licence file (chocolatey.license.xml) into \(installedPath).",
            "",
            "Install it right after Chocolatey itself and before chocolatey.extension and chocolatey-agent: chocolatey, chocolatey-license, chocolatey.extension, chocolatey-agent. After an upgrade of this package, restart the Chocolatey Agent service and, on the Central Management hosts, the CCM service and website so that they read the new licence.",
            "",
            "Built by ccm-upgrade from the licence file: keep it on the internal repository only, it contains the licence.",
        ].joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
              <metadata>
                <id>\(id)</id>
                <version>\(version.normalized)</version>
                <title>Chocolatey License</title>
                <authors>Chocolatey Software, Inc</authors>
                <tags>chocolatey license</tags>
                <summary>Installs the Chocolatey commercial license file.</summary>
                <description>\(description)</description>
              </metadata>
            </package>

            """
    }

    /// `tools/chocolateyInstall.ps1`: create the licence folder, copy the file over the old one.
    static let installScript = windowsLines([
        "$ErrorActionPreference = 'Stop'",
        "# Puts the Chocolatey licence this package carries where Chocolatey reads it.",
        "$packageTools = Split-Path -Parent $MyInvocation.MyCommand.Definition",
        "$licenseFolder = Join-Path $env:ChocolateyInstall 'license'",
        "New-Item -Path $licenseFolder -ItemType Directory -Force | Out-Null",
        "Copy-Item -Path (Join-Path $packageTools 'chocolatey.license.xml') -Destination (Join-Path $licenseFolder 'chocolatey.license.xml') -Force",
        "Write-Output 'The Chocolatey license file is installed. Restart chocolatey-agent (and the CCM service and website on their hosts) to load it.'",
    ])

    /// `tools/chocolateyUninstall.ps1`: remove the licence file.
    static let uninstallScript = windowsLines([
        "$ErrorActionPreference = 'Stop'",
        "$licenseFile = Join-Path (Join-Path $env:ChocolateyInstall 'license') 'chocolatey.license.xml'",
        "if (Test-Path -Path $licenseFile) { Remove-Item -Path $licenseFile -Force }",
        "Write-Output 'The Chocolatey license file is removed.'",
    ])

    private static func windowsLines(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\r\n") + "\r\n").utf8) }

    /// The payload: the licence verbatim and the two scripts, in a fixed order.
    public static func files(for license: ChocolateyLicense) -> [PackageWriter.File] {
        [
            .init(target: "tools/chocolatey.license.xml", content: .bytes(license.bytes)),
            .init(target: "tools/chocolateyInstall.ps1", content: .bytes(installScript)),
            .init(target: "tools/chocolateyUninstall.ps1", content: .bytes(uninstallScript)),
        ]
    }

    /// Writes the package into `outputDirectory` (created when missing; the file appears atomically) and
    /// returns its path and identity. `version` overrides the Quick Start scheme.
    public static func build(_ license: ChocolateyLicense, version: NuGetVersion? = nil, outputDirectory: String) throws(LicenseError) -> (path: String, identity: PackageIdentity) {
        let identity = PackageIdentity(id: id, version: version ?? Self.version(for: license))
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .packageFailed(file: outputDirectory, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let path = (outputDirectory as NSString).appendingPathComponent(identity.fileName)
        do {
            try PackageWriter.write(nuspecXML: Array(nuspec(version: identity.version).utf8), files: files(for: license), to: path)
        } catch {
            throw .packageFailed(file: path, reason: error.description)
        }
        return (path, identity)
    }
}

extension LicensePackage {
    /// Hosts of public repositories: the package carries the licence, which must never be published.
    static let publicRepositoryHosts: Set<String> = [
        "community.chocolatey.org", "chocolatey.org", "push.chocolatey.org", "www.chocolatey.org", "nuget.org", "www.nuget.org", "api.nuget.org",
    ]

    /// Why `location` must not receive the licence package (a public repository), or nil.
    public static func publicRepositoryProblem(_ location: String) -> String? {
        guard let host = URLComponents(string: location)?.host?.lowercased(), publicRepositoryHosts.contains(host) else { return nil }
        return "\(host) is a public repository and the package contains your licence: push it to your internal feed only"
    }
}

extension LicensePackage {
    /// A version above `version` for re-pushing a different package: the last part of the Quick Start's four
    /// (`2027.1.31.25` → `2027.1.31.26`), so clients upgrade to it.
    public static func nextVersion(after version: NuGetVersion) -> NuGetVersion {
        NuGetVersion(major: version.major, minor: version.minor, patch: version.patch, revision: version.revision + 1)
    }
}
