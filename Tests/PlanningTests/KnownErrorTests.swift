@testable import Planning
import Testing

/// Each documented error is recognised from the message Chocolatey's docs quote (the upgrade page and the
/// database, service and website setup pages, "Common Errors and Resolutions"), and explained with its fix.
struct KnownErrorTests {
    /// (message as the docs quote it, in choco output or a CCM log, the id it must be recognised as, a word of the fix)
    static let documented: [(message: String, id: String, fix: String)] = [
        // upgrade page
        (#"ERROR: There was an error deserializing the requested JSON file: C:\ProgramData\chocolatey\lib\chocolatey-management-database\tools\app\appsettings.json Padding is invalid and cannot be removed."#,
         "appsettings-padding", "appsettings.json"),
        ("ERROR: The term 'Install-SettingsJsonFile' is not recognized as the name of a cmdlet, function, script file, or operable program.",
         "install-settingsjsonfile", "do not pass database details"),
        (#"ERROR: The process cannot access the file 'C:\tools\chocolatey-management-web\ChocolateySoftware.ChocolateyManagement.Web.Mvc.dll' because it is being used by another process."#,
         "web-files-locked", "Stop-Website"),
        ("System.Data.SqlClient.SqlException (0x80131904): Invalid column name 'CreationTime'.", "invalid-column-name", "database → service → web"),
        ("ERROR: Executable script code found in signature block.", "signature-block", "without --internalize"),
        // database page
        ("ERROR: System.Data.SqlClient.SqlException: Could not allocate space for object 'dbo.AbpAuditLogs'.'PK_AbpAuditLogs' in database 'ChocolateyManagement' because the 'PRIMARY' filegroup is full. Create disk space by deleting unneeded files, dropping objects in the filegroup, adding additional files to the filegroup, or setting autogrowth on for existing files in the filegroup.",
         "primary-filegroup-full", "ALTER DATABASE ChocolateyManagement MODIFY FILE"),
        ("Cannot process command because of one or more missing mandatory parameters: FilePath", "missing-filepath", "pin chocolatey.extension"),
        ("The term 'Install-ChocolateyAppSettingsJsonFile' is not recognized as the name of a cmdlet, function, script file, or operable program.",
         "install-chocolateyappsettingsjsonfile", "released version"),
        // service page
        ("[FATAL] Microsoft.AspNetCore.Server.Kestrel (0): Unable to start Kestrel", "kestrel", "TrustedPeople"),
        ("[FATAL] ChocolateyServiceManagementTask: Microsoft.AspNetCore.Server.Kestrel [0]\nUnable to start Kestrel.\nSystem.InvalidOperationException: Certificate 3edebdfee63b57b0a0a12a079ed8da791da03ba7 cannot be used as an SSL server certificate.",
         "kestrel", "/CertificateThumbprint"),
        ("attempted to call report_computer_information with an improper passphrase", "improper-passphrase", "0.11.0"),
        ("ERROR: Cannot index into a null array.", "null-array", "choco support"),
        (#"Cannot convert the "System.Object[]" value of type "System.Object[]" to type "System.Int32"."#, "object-to-int32", "0.6.1"),
        ("The message with Action 'http://tempuri.org/IChocolateyManagementService/report_computer_information' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.",
         "contract-filter-mismatch", "0.2.0"),
        ("A parameter cannot be found that matches parameter name KeyUsage", "keyusage", "New-SelfSignedCertificate"),
        ("The remote server returned an unexpected response: (413) Request Entity Too Large.", "request-entity-too-large", "centralManagementMaxReceiveMessageSizeInBytes"),
        ("System.Data.SqlClient.SqlException (0x80131904): Failed to generate a user instance of SQL Server due to failure in retrieving the user's local application data path.",
         "sql-user-instance", "SQL Server instance"),
        ("System.ServiceModel.AddressAccessDeniedException: HTTP could not register URL https://+:24020/ChocolateyManagementService/. Your process does not have access rights to this namespace",
         "address-access-denied", "local administrator"),
        // website page
        (#"HTTP Error 500.21 - Internal Server Error Handler "aspNetCore" has a bad module "AspNetCoreModule" in its module list"#, "http-500-21", "AspNetCoreModuleV2"),
        ("HTTP Error 500.19 - Internal Server Error", "http-500-19", "aspnetcoremodule-v2"),
        ("System.ArgumentNullException: Value cannot be null. (Parameter 'str')", "web-start-config", "WebSiteRootAddress"),
        ("The specified path, file name, or both are too long.", "path-too-long", "--cache-location"),
        ("System.Net.Sockets.SocketException (0x80004005): No connection could be made because the target machine actively refused it 127.0.0.1:25",
         "smtp-refused", "SMTP"),
        ("Current user did not login to the application!", "current-user-did-not-login", "0.6.3"),
    ]

    @Test(arguments: documented)
    func documentedMessageIsRecognisedWithItsFix(_ entry: (message: String, id: String, fix: String)) throws {
        let matches = KnownError.matching("Upgrading the package\n" + entry.message + "\nThe upgrade was NOT successful.")
        #expect(matches.map(\.id) == [entry.id])
        let error = try #require(matches.first)
        #expect(error.explanation.contains("Documented fix: "))
        #expect(error.explanation.contains(entry.fix), "fix of \(entry.id): \(error.fix)")
        #expect(error.source.hasPrefix("docs: "))
    }

    @Test func everyDocumentedErrorHasATestMessage() {
        let tested = Set(Self.documented.map(\.id))
        #expect(Set(KnownError.all.map(\.id)) == tested)
        #expect(Set(KnownError.all.map(\.id)).count == KnownError.all.count, "ids are unique")
    }

    @Test(arguments: [
        "Chocolatey upgraded 1/1 packages.",
        "dotnet-8.0-aspnetruntime v8.0.19 installed; dotnet-aspnetcoremodule-v2 v18.0.25074",
        "Installing chocolatey-management-web 0.17.0 ... 500 files",
        "",
    ])
    func ordinaryOutputMatchesNothing(_ output: String) {
        #expect(KnownError.matching(output).isEmpty)
    }

    @Test func matchingIgnoresCaseAndFindsEveryErrorInTheOutput() {
        let output = "error: cannot index into a null array.\nHTTP ERROR 500.19 - Internal Server Error"
        #expect(KnownError.matching(output).map(\.id) == ["null-array", "http-500-19"])
    }

    // (output, the step's package, ids expected)
    @Test(arguments: [
        (#"The process cannot access the file 'C:\tools\x.dll' because it is being used by another process."#, "chocolatey-management-web", ["web-files-locked"]),
        (#"The process cannot access the file 'C:\tools\x.dll' because it is being used by another process."#, "chocolatey-management-service", []),
        (#"The process cannot access the file 'C:\tools\x.dll' because it is being used by another process."#, "chocolatey-agent", []),
        ("Unable to start Kestrel", "chocolatey-management-service", ["kestrel"]),
        ("Unable to start Kestrel", "chocolatey-management-web", []),
        ("HTTP Error 500.19 - Internal Server Error", "CHOCOLATEY-MANAGEMENT-WEB", ["http-500-19"]),
        ("Invalid column name 'X'", "chocolatey-management-web", ["invalid-column-name"]),
        ("Invalid column name 'X'", "chocolatey-agent", ["invalid-column-name"]),
    ])
    func errorsTiedToOnePackageMatchOnlyItsStep(_ output: String, _ package: String, _ expected: [String]) {
        #expect(KnownError.matching(output, package: package).map(\.id) == expected)
        #expect(!KnownError.matching(output).isEmpty, "without a package every error is considered")
    }

    @Test func onlyTheAppsettingsErrorsDeleteFiles() {
        let deleting = KnownError.all.filter { !$0.filesToDelete.isEmpty }.map(\.id)
        #expect(deleting == ["appsettings-padding", "install-settingsjsonfile"])
    }
}
