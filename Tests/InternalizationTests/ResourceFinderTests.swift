import Foundation
import Internalization
import Nupkg
import PowerShell
import Testing

/// The resources of a package whose install script is `script`.
func resources(_ script: String, files: [String: String] = [:], allURLs: Bool = false) -> (ResourceReport, [UInt8]) {
    let bytes = Array(script.utf8)
    var all = files.mapValues { Array($0.utf8) }
    all["tools/chocolateyInstall.ps1"] = bytes
    return (ResourceFinder.find(in: PackageScripts(id: "pkg", version: "1.0.0", files: all), allURLs: allURLs), bytes)
}

@Suite("Resource finder")
struct ResourceFinderTests {
    // (script, resources as "arch url checksumType:checksum @site-text")
    static let found: [(String, [String])] = [
        (
            "Install-ChocolateyPackage -PackageName 'x' -FileType exe -Url 'https://a/x.exe' -Checksum 'AB' -ChecksumType sha256",
            ["any https://a/x.exe sha256:AB @'https://a/x.exe'"]
        ),
        ("Install-ChocolateyPackage -PackageName 'x' -Url:\"https://a/x.exe\" -Checksum 'ab'", ["any https://a/x.exe md5:ab @\"https://a/x.exe\""]),
        (
            "Install-ChocolateyPackage 'n' 'exe' '/S' 'https://a/32.exe' 'https://a/64.exe' -validExitCodes @(0,3010)",
            ["32-bit https://a/32.exe - @'https://a/32.exe'", "64-bit https://a/64.exe - @'https://a/64.exe'"]
        ),
        (
            "Install-ChocolateyZipPackage 'n' 'https://a/x.zip' $toolsDir -url64 'https://a/x64.zip' -checksum64 'cc' -checksumType 'SHA256'",
            ["32-bit https://a/x.zip - @'https://a/x.zip'", "64-bit https://a/x64.zip sha256:cc @'https://a/x64.zip'"]
        ),
        ("Get-ChocolateyWebFile -PackageName n -FileFullPath \"$env:TEMP\\x\" -Url64b 'https://a/64'", ["64-bit https://a/64 - @'https://a/64'"]),
        (
            "$packageArgs = @{\n  packageName = $env:ChocolateyPackageName\n  url = 'https://a/x.msi'; checksum = 'ab'\n  checksumType = 'sha512'\n}\nInstall-ChocolateyPackage @packageArgs",
            ["any https://a/x.msi sha512:ab @'https://a/x.msi'"]
        ),
        (
            "$u = 'https://a'\n$a = @{ url = \"$u/x-$($env:ChocolateyPackageVersion).exe\" }\n$b = @{ url64bit = '{0}/y.exe' -f $u }\nInstall-ChocolateyPackage @a @b",
            ["32-bit https://a/x-1.0.0.exe - @\"$u/x-$($env:ChocolateyPackageVersion).exe\"", "64-bit https://a/y.exe - @'{0}/y.exe' -f $u"]
        ),
        (
            "$url = 'https://a/x.exe'\nInstall-ChocolateyPackage -PackageName x `\n  -Url $url `\n  -Checksum 'ab' -ChecksumType sha256",
            ["any https://a/x.exe sha256:ab @$url"]
        ),
        ("chocolateyInstaller\\Install-ChocolateyVsixPackage 'n' 'https://a/x.vsix'", ["any https://a/x.vsix - @'https://a/x.vsix'"]),
        (
            "$a = @{ PackageName = 'dotnetfx'; Url = 'https://a/ndp.exe'; Checksum = 'AA'; ChecksumType = 'sha256' }\nInstall-DotNetFramework @a",
            ["any https://a/ndp.exe sha256:AA @'https://a/ndp.exe'"]
        ),
        (
            "function Get-It($Where) { Install-ChocolateyPackage -PackageName x -Url $Where }\nGet-It 'https://a/f.exe'",
            ["any https://a/f.exe - @'https://a/f.exe'"]
        ),
        (
            "$args = @{ url = 'https://a/de.zip' }\nif ((Get-Culture).Name -ne 'de') { $args.url = 'https://a/en.zip' }\nInstall-ChocolateyZipPackage @args -UnzipLocation x",
            ["any https://a/en.zip - @'https://a/en.zip'", "any https://a/de.zip - @'https://a/de.zip'"]
        ),
        (
            "$fallback = 'https://a/x.exe'\n$p = @{ url = 'https://a/x.exe' }\ntry { Test-Mirror } catch { $p.url = $fallback }\nInstall-ChocolateyPackage @p",
            ["any https://a/x.exe - @'https://a/x.exe'", "any https://a/x.exe - @$fallback"]
        ),
        (
            "$msu = @{\n  '6.1' = @{ Url = 'https://a/x86.msu'; Url64 = 'https://a/x64.msu'; Checksum = 'aa'; Checksum64 = 'bb' }\n  '6.3-server' = @{ Url64 = 'https://a/s64.msu'; Checksum64 = 'cc' }\n}\nchocolateyInstaller\\Install-WindowsUpdate -Id 'KB1' -MsuData $msu -ChecksumType 'sha256'",
            [
                "32-bit https://a/x86.msu sha256:aa @'https://a/x86.msu'", "64-bit https://a/x64.msu sha256:bb @'https://a/x64.msu'",
                "64-bit https://a/s64.msu sha256:cc @'https://a/s64.msu'"
            ]
        ),
        // Not remote: a file: URL, a path in the package, a local file, an empty URL beside a file.
        ("Install-ChocolateyVsixPackage 'n' \"file:///$PSScriptRoot\\x.vsix\"", []),
        ("Install-ChocolateyPackage -PackageName x -Url \"$PSScriptRoot\\x.exe\"", []),
        ("Install-ChocolateyPackage -PackageName x -File 'C:\\x.exe' -Url ''", []),
        // URLs in comments or in strings no helper receives.
        ("# Install-ChocolateyPackage -Url 'https://a/commented.exe'\n$page = 'https://a/about'\nWrite-Host $page", [])
    ]

    @Test(arguments: found)
    func resourcesAndTheirSites(_ row: (String, [String])) {
        let (report, bytes) = resources(row.0)
        #expect(report.unresolved.isEmpty, "\(report.unresolved)")
        let described = report.resources.map { resource in
            let site = String(decoding: bytes[resource.urlSite.start..<resource.urlSite.end], as: UTF8.self)
            let checksum = resource.checksum.map { "\(resource.checksumType ?? "?"):\($0)" } ?? "-"
            return "\(resource.architecture.rawValue) \(resource.url) \(checksum) @\(site)"
        }
        #expect(described == row.1)
        #expect(report.helperCalls.count >= (row.1.isEmpty ? 0 : 1))
    }

    // (script, what the reason must say, line)
    static let unresolved: [(String, String, Int)] = [
        ("Install-ChocolateyPackage -PackageName x -Url $env:DOWNLOAD_URL", "$env:DOWNLOAD_URL", 1),
        ("\n$v = (Get-Content version.txt)\nInstall-ChocolateyPackage x exe '' \"https://a/$v.exe\"", "Get-Content", 3),
        ("Install-ChocolateyZipPackage @unknownArgs", "@unknownArgs", 1),
        ("Install-ChocolateyPackage -PackageName x -Url '{{DownloadUrl}}'", "unfilled template placeholder", 1),
        ("Install-ChocolateyPackage -PackageName x -Url 'https://a' -Checksum (Get-Hash)", "checksum", 1),
        ("$l = Get-Culture\nInstall-ChocolateyPackage -PackageName x -Url \"https://a/$l/x.exe\"", "Get-Culture", 2)
    ]

    @Test(arguments: unresolved)
    func unresolvedWithPlaceAndReason(_ row: (String, String, Int)) throws {
        let (report, _) = resources(row.0)
        #expect(report.resources.isEmpty)
        let item = try #require(report.unresolved.first)
        #expect(item.reason.contains(row.1), "\(item.reason)")
        #expect(item.call.location == "tools/chocolateyInstall.ps1:\(row.2)")
        #expect(!report.isFullyResolved)
    }

    @Test func allURLsAlsoTakesStringsNoHelperReceives() {
        let script = "# 'https://a/comment'\n$page = 'https://a/about'\nInstall-ChocolateyPackage -PackageName x -Url 'https://a/x.exe'"
        #expect(resources(script).0.resources.map(\.url) == ["https://a/x.exe"])
        let all = resources(script, allURLs: true).0.resources
        #expect(all.map(\.url) == ["https://a/x.exe", "https://a/about"])
        #expect(all.last?.helper == ResourceFinder.anyURLHelper)
    }

    @Test func insertionPointsForAMissingChecksum() throws {
        let named = "Install-ChocolateyPackage -PackageName x -Url 'https://a/x.exe' # no checksum\n"
        let (report, bytes) = resources(named)
        let resource = try #require(report.resources.first)
        #expect(resource.insertionStyle == .commandArguments)
        #expect(String(decoding: bytes[..<resource.insertion!.start], as: UTF8.self).hasSuffix("'https://a/x.exe'"))
        let splat = "$a = @{\r\n  url = 'https://a/x.exe'\r\n}\r\nInstall-ChocolateyPackage @a\r\n"
        let (splatted, splatBytes) = resources(splat)
        let entry = try #require(splatted.resources.first)
        #expect(entry.insertionStyle == .hashtableEntries)
        #expect(splatBytes[entry.insertion!.start] == UInt8(ascii: "}") && entry.insertion!.line == 3)
    }

    @Test func dataFileReturningAHashtableAndDotSourcedVariables() throws {
        let data = [
            "tools/data.ps1":
                "\u{FEFF}@{ Url = 'https://a/x86.exe'; Url64 = 'https://a/x64.exe'; Checksum = 'aa'; Checksum64 = 'bb'; ChecksumType = 'sha512' }\r\n"
        ]
        let script =
            "$data = & (Join-Path $PSScriptRoot data.ps1)\n$args = @{ url = $data.Url; url64 = $data.Url64; checksum = $data.Checksum; checksum64 = $data.Checksum64; checksumType = $data.ChecksumType }\nInstall-ChocolateyPackage @args"
        let report = resources(script, files: data).0
        #expect(
            report.resources.map { "\($0.architecture.rawValue) \($0.url) \($0.checksumType ?? ""):\($0.checksum ?? "")" } == [
                "32-bit https://a/x86.exe sha512:aa", "64-bit https://a/x64.exe sha512:bb"
            ])
        let dotSourced = ["tools/data.ps1": "$installData = @{ Url = 'https://a/v.exe'; Checksum = 'cc'; ChecksumType = 'sha256' }"]
        let second = resources(
            ". (Join-Path (Split-Path -Parent $MyInvocation.MyCommand.Definition) 'data.ps1')\nInstall-ChocolateyPackage -PackageName x @installData",
            files: dotSourced
        ).0
        let resource = try #require(second.resources.first)
        // The site is in the side file, where the literal is.
        #expect(resource.urlSite.file == "tools/data.ps1" && resource.url == "https://a/v.exe")
    }

    @Test func packagesAreReadFromANupkgWithoutExtracting() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ps-finder-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let nuspec = """
            <?xml version="1.0"?><package xmlns="http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd"><metadata>\
            <id>demo</id><version>01.2</version><authors>a</authors><description>d</description></metadata></package>
            """
        let script =
            "Install-ChocolateyPackage -PackageName demo -Url \"https://a/demo-$env:ChocolateyPackageVersion-$env:ChocolateyNuspecVersion.exe\""
        let path = folder + "/demo.01.2.nupkg"
        try PackageWriter.write(
            nuspecXML: Array(nuspec.utf8),
            files: [
                .init(target: "tools/chocolateyInstall.ps1", content: .bytes(Array(script.utf8))),
                .init(target: "tools/big.exe", content: .bytes([0, 1]))
            ],
            to: path)
        let scripts = try PackageScripts.readNow(path)
        #expect(scripts.id == "demo" && Set(scripts.files.keys) == ["tools/chocolateyInstall.ps1"])
        #expect(ResourceFinder.find(in: scripts).resources.map(\.url) == ["https://a/demo-1.2.0-01.2.exe"])
        #expect(throws: PackageScriptsError.self) { try PackageScripts.readNow(folder + "/missing.nupkg") }
        #expect(throws: PackageScriptsError.self) { try PackageScripts.readNow(folder) }
    }
}
