import Compatibility

/// Errors from Chocolatey's upgrade page, recognised in choco's output, with the documented fix.
public struct KnownError: Sendable, Hashable {
    public let id: String
    /// Text that identifies the error in choco's output.
    public let marker: String
    public let explanation: String
    /// Files (relative to the Chocolatey lib folder) the documented fix deletes before retrying once.
    public let filesToDelete: [String]

    /// The database package's folder under the lib folder.
    private static let database = ServerRole.database.packageID

    public static let all: [KnownError] = [
        KnownError(
            id: "appsettings-padding",
            marker: "Padding is invalid and cannot be removed",
            explanation: "the machine GUID changed since the database package was installed (seen with some QDE images), so its encrypted appsettings.json cannot be read. Documented fix: delete \(database)\\tools\\app\\appsettings.json and run the database upgrade again (pass /SqlServerInstance if it is not the local default)",
            filesToDelete: ["\(database)/tools/app/appsettings.json"]),
        KnownError(
            id: "install-settingsjsonfile",
            marker: "Install-SettingsJsonFile",
            explanation: "CCM up to 0.3.0 called a missing cmdlet when database details were passed (fixed in 0.3.1). Documented fix: delete the package's appsettings.json first, or do not pass unchanged database details",
            filesToDelete: ["\(database)/tools/app/appsettings.json"]),
        KnownError(
            id: "invalid-column-name",
            marker: "Invalid column name",
            explanation: "the components were upgraded out of order; the order is database → service → web",
            filesToDelete: []),
        KnownError(
            id: "signature-block",
            marker: "Executable script code found in signature block",
            explanation: "licensed packages were downloaded with --internalize; download them again without it and push them again",
            filesToDelete: []),
    ]

    /// The known errors whose marker appears in `output`.
    public static func matching(_ output: String) -> [KnownError] {
        all.filter { output.contains($0.marker) }
    }
}
