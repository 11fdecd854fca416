import ArgumentParser
import Compatibility
import Diagnostics
import Planning
import Foundation

extension MatrixCommand {
    /// `matrix check`: is this estate compatible? Exit 0 yes, 1 no, 2 bad input.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check an estate (flags and/or an inventory file) against the compatibility matrix.",
            discussion: """
                Client values are VERSION (every group) or GROUP=VERSION, and may be repeated.
                Flags override the inventory file. Exit codes: 0 compatible; 1 incompatible (or warnings \
                with --strict); 2 bad input.
                """
        )

        @Option(help: "Version of all three CCM server packages.") var ccm: String?
        @Option(help: "chocolatey-management-database version.") var database: String?
        @Option(help: "chocolatey-management-service version.") var service: String?
        @Option(help: "chocolatey-management-web version.") var web: String?
        @Option(help: ArgumentHelp("chocolatey-agent version (repeatable).", valueName: "[GROUP=]VERSION")) var agent: [String] = []
        @Option(name: .customLong("extension"), help: ArgumentHelp("chocolatey.extension version (repeatable).", valueName: "[GROUP=]VERSION")) var licensedExtension: [String] = []
        @Option(help: ArgumentHelp("chocolatey (CLI) version (repeatable).", valueName: "[GROUP=]VERSION")) var chocolatey: [String] = []
        @Option(help: ".NET runtime version on the CCM servers, e.g. 8.0.8.") var dotnet: String?
        @Option(help: "SQL Server release (2019, '2008 R2') or product version (15.0).") var sqlServer: String?
        @Option(help: "Windows Server release (2022, '2012 R2') or build (10.0.20348).") var windowsServer: String?
        @Option(help: ArgumentHelp("An installed prerequisite package (repeatable).", valueName: "ID=VERSION")) var prerequisite: [String] = []
        @Option(help: ArgumentHelp("The certificate bound to the CCM website (needed from CCM 0.17.0).", valueName: "THUMBPRINT|DNSNAME")) var webCertificate: String?
        @Option(help: ArgumentHelp("A Windows feature installed on the web host (repeatable).", valueName: "NAME")) var windowsFeature: [String] = []
        @Option(help: ArgumentHelp("Start mode of SQL Server's service.", valueName: "automatic|manual|disabled")) var sqlServerService: String?
        @Flag(help: "An upgrade is in progress: mixed server versions are a warning, not an error.") var duringUpgrade = false
        @Option(help: ArgumentHelp("Read the estate from a YAML or JSON inventory file.", valueName: "FILE")) var inventory: String?
        @Flag(help: "Read the live estate first: --inventory's hosts over SSH, client groups from CCM when CCM_URL is set.") var live = false
        @Option(help: ArgumentHelp("With --live: an ssh config file instead of ~/.ssh/config (ssh -F).", valueName: "FILE")) var sshConfig: String?
        @Flag(help: "Treat warnings as problems for the exit code.") var strict = false
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text
        @Option(help: ArgumentHelp("Also report this licence's expiry (warning within 30 days, error when expired).", valueName: "chocolatey.license.xml")) var license: String?
        @OptionGroup var source: MatrixSourceOptions

        func run() async throws {
            let matrix = try source.load()
            var base = Estate()
            if live {
                guard let inventory else { throw CommandFailure.badInput("--live reads the hosts of --inventory FILE: give it") }
                base = try await LiveEstateOptions.refresh(inventory: inventory, sshConfig: sshConfig).estate
            } else if let inventory {
                do { base = try Inventory.load(path: inventory, catalogue: matrix.catalogue).estate } catch {
                    for diagnostic in error.diagnostics { DiagnosticPrinter.shared.log(diagnostic.description) }
                    throw ExitCodes.badInput
                }
            }
            var flags = EstateFlags()
            (flags.ccm, flags.database, flags.service, flags.web) = (ccm, database, service, web)
            (flags.agent, flags.extension_, flags.chocolatey) = (agent, licensedExtension, chocolatey)
            (flags.dotnet, flags.sqlServer, flags.windowsServer, flags.prerequisites) = (dotnet, sqlServer, windowsServer, prerequisite)
            (flags.webCertificate, flags.windowsFeatures, flags.sqlServerService) = (webCertificate, windowsFeature, sqlServerService)
            let estate: Estate
            do { estate = try Estate.applying(flags, to: base) } catch { throw CommandFailure.badInput(error.description) }
            if estate.serverVersions.isEmpty && estate.groups.isEmpty {
                throw CommandFailure.badInput("nothing to check: give --ccm (or --database/--service/--web), client versions, or --inventory FILE")
            }
            var report = matrix.check(estate, duringUpgrade: duringUpgrade)
            if let license { report = try LicenseCheck.adding(license, to: report) }
            print(format == .json ? MatrixRendering.json(report) : MatrixRendering.text(report), terminator: "")
            if !report.isCompatible || (strict && report.count(.warning) > 0) { throw ExitCodes.problemsFound }
        }
    }
}
