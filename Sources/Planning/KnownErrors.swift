import Compatibility

/// An error from the "Common Errors and Resolutions" sections of Chocolatey's CCM upgrade and setup pages
/// (database, service, website), recognised in choco's output or a CCM log, with the documented cause and fix.
public struct KnownError: Sendable, Hashable {
    public let id: String
    /// Texts that identify the error (any one is enough; compared case-insensitively), taken from the
    /// message the docs quote.
    public let markers: [String]
    /// Why it happens, as the docs explain it.
    public let cause: String
    /// The documented fix.
    public let fix: String
    /// The docs page and heading the entry comes from.
    public let source: String
    /// Files (relative to the Chocolatey lib folder) the documented fix deletes before retrying once.
    public let filesToDelete: [String]
    /// The server packages whose step the error belongs to (empty: any step), so that a generic message
    /// such as a locked file is explained as the website's 0.6.0/0.6.1 problem only on the website's step.
    public let appliesTo: [ServerRole]

    public init(id: String, markers: [String], cause: String, fix: String, source: String, filesToDelete: [String] = [],
                appliesTo: [ServerRole] = []) {
        self.id = id
        self.markers = markers
        self.cause = cause
        self.fix = fix
        self.source = source
        self.filesToDelete = filesToDelete
        self.appliesTo = appliesTo
    }

    /// The first marker (the message the docs quote).
    public var marker: String { markers[0] }

    /// Cause and fix in one line, as `run` prints it.
    public var explanation: String { "\(cause). Documented fix: \(fix) (\(source))" }

    /// The known errors whose marker appears in `output`, in table order; with `package` (the step's
    /// package id), only those that belong to that package's step.
    public static func matching(_ output: String, package: String? = nil) -> [KnownError] {
        let folded = output.lowercased()
        let role = package.flatMap { id in ServerRole.allCases.first { $0.packageID.lowercased() == id.lowercased() } }
        return all.filter { error in
            // Another package's step (a client package's too) does not have an error tied to one server package.
            if package != nil, !error.appliesTo.isEmpty, !error.appliesTo.contains(where: { $0 == role }) { return false }
            return error.markers.contains { folded.contains($0.lowercased()) }
        }
    }
}

extension KnownError {
    private static let database = ServerRole.database.packageID
    private static let web = ServerRole.web.packageID
    private static let upgradePage = "docs: central-management/setup/upgrade"
    private static let databasePage = "docs: central-management/setup/database"
    private static let servicePage = "docs: central-management/setup/service"
    private static let websitePage = "docs: central-management/setup/website"
    /// Stopping the website before touching it, for CCM 0.6.0 and 0.6.1 (in-process hosting; upgrade page).
    private static let stopWebsite =
        "Get-Process -Name ChocolateySoftware.ChocolateyManagement.Web.Mvc -ErrorAction SilentlyContinue | Stop-Process -Force; Stop-Website -Name ChocolateyCentralManagement; Stop-WebAppPool -Name ChocolateyCentralManagement"
    private static let restartWebsite =
        "Stop-Website -Name ChocolateyCentralManagement; Restart-WebAppPool -Name ChocolateyCentralManagement; Start-Website -Name ChocolateyCentralManagement"

    /// Every documented error, upgrade page first, then the database, service and website setup pages.
    public static let all: [KnownError] = upgradePageErrors + databasePageErrors + servicePageErrors + websitePageErrors

    private static let upgradePageErrors: [KnownError] = [
        KnownError(
            id: "appsettings-padding", markers: ["Padding is invalid and cannot be removed"],
            cause: "the machine GUID changed since the database package was installed (seen with some QDE images), so its encrypted appsettings.json cannot be read",
            fix: "delete \(database)\\tools\\app\\appsettings.json and run the database upgrade again (pass /SqlServerInstance if it is not the local default)",
            source: "\(upgradePage), 'There was an error deserializing the requested JSON file'",
            filesToDelete: ["\(database)/tools/app/appsettings.json"], appliesTo: [.database]),
        KnownError(
            id: "install-settingsjsonfile", markers: ["'Install-SettingsJsonFile' is not recognized", "Install-SettingsJsonFile"],
            cause: "CCM up to 0.3.0 called a missing cmdlet when database details were passed on upgrade (licensed issue #161, fixed in 0.3.1)",
            fix: "delete the package's appsettings.json before the upgrade, or do not pass database details that have not changed",
            source: "\(upgradePage) and \(databasePage), 'The term Install-SettingsJsonFile is not recognized'",
            filesToDelete: ["\(database)/tools/app/appsettings.json"]),
        KnownError(
            id: "web-files-locked", markers: ["being used by another process", "file is locked"],
            cause: "CCM 0.6.0 and 0.6.1 host the website in-process in IIS, so upgrading the website finds its files locked and leaves the site broken (fixed in 0.6.2)",
            fix: "stop the website before upgrading \(web): \(stopWebsite); upgrade, then Start-WebAppPool -Name ChocolateyCentralManagement; Start-Website -Name ChocolateyCentralManagement",
            source: "\(upgradePage), 'When upgrading the CCM website, Chocolatey reports a lot of errors about files being locked'", appliesTo: [.web]),
        KnownError(
            id: "invalid-column-name", markers: ["Invalid column name"],
            cause: "the CCM packages were upgraded out of order",
            fix: "upgrade in the order database → service → web, each step finished before the next",
            source: "docs: central-management (index), upgrade order; \(upgradePage)"),
        KnownError(
            id: "signature-block", markers: ["Executable script code found in signature block"],
            cause: "licensed packages were downloaded with --internalize (licensed issue #155)",
            fix: "download the licensed packages again without --internalize / --internalize-all-urls and push them again (old versions may have to be deleted from the feed first)",
            source: "docs: central-management/setup (internalize step, 'DO NOT RUN WITH --internalize')"),
    ]

    private static let databasePageErrors: [KnownError] = [
        KnownError(
            id: "primary-filegroup-full", markers: ["'PRIMARY' filegroup is full", "PRIMARY filegroup is full"],
            cause: "the ChocolateyManagement database reached its maximum configured size (SQL Server Express caps a database at 10 GB); audit log rows (AbpAuditLogs) usually fill it",
            fix: "grow the data file, e.g. USE master; ALTER DATABASE ChocolateyManagement MODIFY FILE (NAME = ChocolateyManagement, SIZE = 200MB); (up to 10 GB on SQL Express; make sure the disk has the space), then run the step again",
            source: "\(databasePage), 'Could not allocate space for object dbo.AbpAuditLogs … PRIMARY filegroup is full'"),
        KnownError(
            id: "missing-filepath", markers: ["missing mandatory parameters: FilePath"],
            cause: "this CCM package and the installed Chocolatey Licensed Extension use different iterations of CCM's cmdlets",
            fix: "pin chocolatey.extension to the version this CCM version needs (ccm-upgrade matrix show VERSION), or upgrade all packages to their latest versions",
            source: "\(databasePage), \(servicePage), \(websitePage), 'Cannot process command because of one or more missing mandatory parameters: FilePath'"),
        KnownError(
            id: "install-chocolateyappsettingsjsonfile", markers: ["Install-ChocolateyAppSettingsJsonFile"],
            cause: "the 2018 CCM beta (0.1.0-beta-20181009) calls a cmdlet the released Chocolatey Licensed Extension renamed to Install-AppSettingsJsonFile",
            fix: "upgrade CCM to a released version (the beta is not supported)",
            source: "\(databasePage), \(servicePage), \(websitePage), 'The term Install-ChocolateyAppSettingsJsonFile is not recognized'"),
    ]

    private static let servicePageErrors: [KnownError] = [
        KnownError(
            id: "kestrel", markers: ["Unable to start Kestrel"],
            cause: "the CCM service cannot use its certificate: on 0.6.0/0.6.1 LocalMachine\\TrustedPeople holds several matching certificates or one without the Server Authentication usage; on 0.6.2+ the certificate named by CertificateThumbprint lacks Server Authentication or was removed",
            fix: "keep exactly one certificate in LocalMachine\\TrustedPeople whose DNS name matches the centralManagementServiceUrl, with Server Authentication (OID 1.3.6.1.5.5.7.3.1); from 0.6.2 pass /CertificateThumbprint on the service upgrade (or set CertificateThumbprint in the service's appsettings.json) and run Get-Service -Name chocolatey-central-management | Restart-Service",
            source: "\(servicePage), 'the Chocolatey Central Management service log shows Unable to start Kestrel'", appliesTo: [.service]),
        KnownError(
            id: "improper-passphrase", markers: ["improper passphrase"],
            cause: "a communication bug between CCM 0.2.0 and Chocolatey Agent 0.10.0 (licensed issue #152)",
            fix: "upgrade CCM to 0.3.0+ and every agent to 0.11.0+ (order does not matter; both are needed)",
            source: "\(servicePage), 'attempted to call report_computer_information with an improper passphrase'"),
        KnownError(
            id: "null-array", markers: ["Cannot index into a null array"],
            cause: "installing the CCM service tripped over existing netsh bindings (e.g. SNI on a website; fixed in 0.1.1), a certificate given as a parameter (fixed in 0.2.0), or the CCM 0.3.0 issue on French-language machines",
            fix: "upgrade to a CCM version with the fix; for 0.3.0 on a French machine contact Chocolatey support (choco support)",
            source: "\(servicePage), 'ERROR: Cannot index into a null array'", appliesTo: [.service]),
        KnownError(
            id: "object-to-int32", markers: ["to type \"System.Int32\"", "System.Object[]\" to type \"System.Int32"],
            cause: "a bug of the chocolatey-management-service 0.6.0 package (licensed issue #242, fixed in 0.6.1)",
            fix: "install 0.6.1 or later instead of 0.6.0 (or apply the workaround in licensed issue #242)",
            source: "\(servicePage), 'Cannot convert the System.Object[] value of type System.Object[] to type System.Int32'", appliesTo: [.service]),
        KnownError(
            id: "contract-filter-mismatch", markers: ["ContractFilter mismatch"],
            cause: "agents 0.10.0+ cannot talk to a CCM service older than 0.2.0, and CCM 0.3.0+ needs agents 0.11.0+",
            fix: "upgrade CCM to 0.2.0+ (and with CCM 0.3.0+, agents to 0.11.0+); see ccm-upgrade matrix check",
            source: "\(servicePage), 'Unable to report computer information to Chocolatey Central Management'"),
        KnownError(
            id: "keyusage", markers: ["matches parameter name KeyUsage", "matches parameter name 'KeyUsage'"],
            cause: "the CCM beta creates its self-signed certificate with a parameter PowerShell 4 and earlier lack (fixed in 0.1.0)",
            fix: "use a released CCM version, or create the certificate by hand (New-SelfSignedCertificate, then move it to LocalMachine\\TrustedPeople) and install again",
            source: "\(servicePage), 'A parameter cannot be found that matches parameter name KeyUsage'", appliesTo: [.service]),
        KnownError(
            id: "request-entity-too-large", markers: ["(413) Request Entity Too Large"],
            cause: "an agent reported more package data (about 200 packages) than the service accepts (licensed issue #95, fixed in CCM 0.1.1)",
            fix: "upgrade CCM to 0.1.1+; clients can also raise centralManagementMaxReceiveMessageSizeInBytes",
            source: "\(servicePage), 'The remote server returned an unexpected response: (413) Request Entity Too Large'"),
        KnownError(
            id: "sql-user-instance", markers: ["Failed to generate a user instance of SQL Server"],
            cause: "the connection string attaches a LocalDB file (not a supported scenario) or is malformed in appsettings.json",
            fix: "point the connection string at a SQL Server instance and database (/ConnectionString or /SqlServerInstance + /Database)",
            source: "\(servicePage), 'Failed to generate a user instance of SQL Server'"),
        KnownError(
            id: "address-access-denied", markers: ["HTTP could not register URL", "AddressAccessDeniedException"],
            cause: "the CCM service account is not in the local Administrators group (not a supported scenario)",
            fix: "run the service as a local administrator: the default ChocolateyLocalAdmin, or pass /Username of an administrator (with /Password or /EnterPassword)",
            source: "\(servicePage), 'System.ServiceModel.AddressAccessDeniedException HTTP could not register URL'", appliesTo: [.service]),
    ]

    private static let websitePageErrors: [KnownError] = [
        KnownError(
            id: "http-500-21", markers: ["Error 500.21", "500.21 error", "bad module \"AspNetCoreModule\""],
            cause: "IIS cannot start the website: an upgrade before 0.6.2 kept the old web.config that uses AspNetCoreModule, which .NET Core 3.1 (CCM 0.6.0+) cannot run",
            fix: "use the 0.6.0+ web.config (handler module AspNetCoreModuleV2, hostingModel=\"inprocess\") in C:\\tools\\\(web), copy your customisations over, then \(restartWebsite)",
            source: "\(websitePage), 'Chocolatey Central Management Website fails to load with a 500.21 error code'", appliesTo: [.web]),
        KnownError(
            id: "http-500-19", markers: ["Error 500.19", "500.19 error"],
            cause: "usually a wrong database connection string; also the ASP.NET Core runtime and dotnet-aspnetcoremodule-v2 at mismatched patch levels",
            fix: "check ConnectionStrings.Default in C:\\tools\\\(web)\\appsettings.json; install the documented aspnetruntime/aspnetcoremodule-v2 pair (ccm-upgrade matrix show VERSION); for details set stdoutLogEnabled=\"true\" in web.config, restart the site and read App_Data\\Logs\\stdout",
            source: "\(websitePage), 'HTTP Error when trying to access Chocolatey Central Management Website'", appliesTo: [.web]),
        KnownError(
            id: "web-start-config", markers: ["An error occurred while starting the application", "Value cannot be null. (Parameter 'str')"],
            cause: "required values are missing from the website's appsettings.json",
            fix: "make sure ConnectionStrings.Default and App.WebSiteRootAddress are in C:\\tools\\\(web)\\appsettings.json, then \(restartWebsite)",
            source: "\(websitePage), 'Chocolatey Central Management Website fails to start'", appliesTo: [.web]),
        KnownError(
            id: "path-too-long", markers: ["The specified path, file name, or both are too long"],
            cause: "the web package's nested folders exceed the path limit in the default cache location (the 2018 beta)",
            fix: "add --cache-location=\"'C:\\Temp\\choco'\" to the install or upgrade command",
            source: "\(websitePage), 'The specified path, file name, or both are too long'", appliesTo: [.web]),
        KnownError(
            id: "smtp-refused", markers: ["actively refused it 127.0.0.1:25"],
            cause: "CCM sends email through an SMTP server on localhost:25 by default and there is none",
            fix: "configure SMTP in CCM (Administration → Settings → Email)",
            source: "\(websitePage), 'All attempts to send email from Chocolatey Central Management result in an error'"),
        KnownError(
            id: "current-user-did-not-login", markers: ["Current user did not login to the application"],
            cause: "a bug of the website 0.6.0 to 0.6.2 (licensed issue #260, fixed in 0.6.3)",
            fix: "upgrade the website to 0.6.3 or later",
            source: "docs: central-management/release-notes 0.6.3"),
    ]
}
