/// The functions that download at install time, with the parameters that matter to internalizing: where the
/// URL, 64-bit URL and checksums go, their aliases, and the positional order. Sources: choco's helpers' param
/// blocks (reference internalization.md §4, `CH src/chocolatey.resources/helpers/functions/*.ps1`) and the
/// extension functions CCM's prerequisites call (§7).
public struct DownloadHelper: Sendable, Hashable {
    /// What a parameter means to the finder.
    public enum Role: String, Sendable, Hashable {
        case url, url64, checksum, checksumType, checksum64, checksumType64
        /// A local file the helper uses instead of downloading (`file`, `file64`).
        case file, file64
        /// Any other parameter (package name, silent arguments, …).
        case other
        /// A switch: takes no argument.
        case flag
        /// A hashtable of downloads, one `@{ Url; Url64; Checksum; Checksum64 }` per key (the Windows version
        /// an update is for): `Install-WindowsUpdate -MsuData`.
        case downloadTable
    }

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var aliases: [String]
        public var role: Role

        public init(_ name: String, _ role: Role = .other, aliases: [String] = []) {
            self.name = name
            self.aliases = aliases
            self.role = role
        }
    }

    public var name: String
    /// In positional order first (the helpers' `Position` order), then the named-only ones.
    public var parameters: [Parameter]
    /// How many of ``parameters`` bind positionally.
    public var positionalCount: Int
    /// The helper uses its one URL for both architectures (no `url64`), e.g. `Install-DotNetFramework`.
    public var singleURL: Bool

    public init(name: String, positional: [Parameter], named: [Parameter], singleURL: Bool = false) {
        self.name = name
        self.parameters = positional + named
        self.positionalCount = positional.count
        self.singleURL = singleURL
    }

    /// The parameter `-written` binds to: an exact name or alias, else the one parameter it is a prefix of
    /// (PowerShell's rule); nil when unknown or ambiguous (it goes to `ignoredArguments`).
    public func parameter(named written: String) -> Parameter? {
        let key = written.lowercased()
        if let exact = parameters.first(where: { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }) { return exact }
        let matches = parameters.filter { $0.name.lowercased().hasPrefix(key) || $0.aliases.contains { $0.lowercased().hasPrefix(key) } }
        return matches.count == 1 ? matches[0] : nil
    }
}

extension DownloadHelper {
    private static let checksums: [Parameter] = [
        .init("checksum", .checksum), .init("checksumType", .checksumType), .init("checksum64", .checksum64),
        .init("checksumType64", .checksumType64), .init("options")
    ]

    /// The helpers the finder knows. Extension wrappers are added here, not special-cased in the finder.
    public static let all: [DownloadHelper] = [
        DownloadHelper(
            name: "Install-ChocolateyPackage",
            positional: [
                .init("packageName"), .init("fileType", aliases: ["installerType", "installType"]), .init("silentArgs"),
                .init("url", .url), .init("url64bit", .url64, aliases: ["url64"])
            ],
            named: checksums + [
                .init("validExitCodes"), .init("file", .file, aliases: ["fileFullPath"]), .init("file64", .file64, aliases: ["fileFullPath64"]),
                .init("useOnlyPackageSilentArguments", .flag, aliases: ["useOnlyPackageSilentArgs"]), .init("useOriginalLocation", .flag),
                .init("beforeInstall")
            ]
        ),
        DownloadHelper(
            name: "Install-ChocolateyZipPackage",
            positional: [
                .init("packageName"), .init("url", .url), .init("unzipLocation", aliases: ["destination"]),
                .init("url64bit", .url64, aliases: ["url64"])
            ],
            named: checksums + [
                .init("specificFolder"), .init("file", .file, aliases: ["fileFullPath"]), .init("file64", .file64, aliases: ["fileFullPath64"]),
                .init("disableLogging", .flag)
            ]
        ),
        DownloadHelper(
            name: "Get-ChocolateyWebFile",
            positional: [.init("packageName"), .init("fileFullPath"), .init("url", .url), .init("url64bit", .url64, aliases: ["url64"])],
            named: checksums + [.init("getOriginalFileName", .flag), .init("forceDownload", .flag)]
        ),
        DownloadHelper(
            name: "Install-ChocolateyVsixPackage",
            positional: [
                .init("packageName", aliases: ["name"]), .init("vsixUrl", .url, aliases: ["url"]),
                .init("vsVersion", aliases: ["visualStudioVersion"])
            ],
            named: [
                .init("checksum", .checksum), .init("checksumType", .checksumType), .init("options"), .init("file", .file, aliases: ["fileFullPath"])
            ],
            singleURL: true
        ),
        DownloadHelper(
            name: "Install-ChocolateyPowershellCommand",
            positional: [
                .init("packageName"), .init("psFileFullPath", aliases: ["file", "fileFullPath"]), .init("url", .url),
                .init("url64bit", .url64, aliases: ["url64"])
            ],
            named: checksums
        ),
        // chocolatey-dotnetfx.extension (JB extensions/DotNetFrameworkHelpers.ps1:128-170): no Position
        // attributes, so positional in declaration order; passes $Url as url and url64 to Get-ChocolateyWebFile.
        DownloadHelper(
            name: "Install-DotNetFramework",
            positional: [
                .init("PackageName"), .init("Release"), .init("Version"), .init("ProductNameWithVersion"), .init("Url", .url),
                .init("Checksum", .checksum), .init("ChecksumType", .checksumType)
            ],
            named: [],
            singleURL: true
        ),
        DownloadHelper(
            name: "Install-DotNetDevPack",
            positional: [
                .init("PackageName"), .init("Version"), .init("ProductNameWithVersion"), .init("Url", .url),
                .init("Checksum", .checksum), .init("ChecksumType", .checksumType)
            ],
            named: [],
            singleURL: true
        )
    ]

    /// chocolatey-windowsupdate.extension's wrapper, as the corpus's KB packages call it
    /// (`chocolateyInstaller\Install-WindowsUpdate -Id 'KB2999226' -MsuData $msuData -ChecksumType 'sha256'
    /// -ServicePackRequirements $servicePackRequirements`, corpus kb2999226/tools/chocolateyinstall.ps1 and
    /// kb2670838/Tools/ChocolateyInstall.ps1): every entry of `MsuData` is a download for one Windows version.
    /// Its source was not available: the parameters are those the packages pass, none taken as positional.
    public static let windowsUpdate = DownloadHelper(
        name: "Install-WindowsUpdate", positional: [],
        named: [.init("Id"), .init("MsuData", .downloadTable), .init("ChecksumType", .checksumType), .init("ServicePackRequirements")]
    )

    /// The helper called `name` (case-insensitive; a `module\` qualifier and the licensed `…Cmdlet` suffix
    /// are ignored).
    public static func named(_ name: String) -> DownloadHelper? {
        var key = name.lowercased()
        if let slash = key.lastIndex(of: "\\") { key = String(key[key.index(after: slash)...]) }
        if key.hasSuffix("cmdlet") { key.removeLast(6) }
        return (all + [windowsUpdate]).first { $0.name.lowercased() == key }
    }
}
