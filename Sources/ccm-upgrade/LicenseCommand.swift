import ArgumentParser
import Diagnostics
import FileSupport
import Foundation
import Licensing
import Nupkg
import Repository
import Versioning

/// `ccm-upgrade license check|pack|push|plan`: renew the Chocolatey licence across a CCM estate.
struct LicenseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license",
        abstract: "Renew the Chocolatey licence: validate chocolatey.license.xml, build and push the chocolatey-license package, plan the roll-out and restarts.",
        discussion: """
            The licence id is a secret: it is never printed, logged or written to a plan, a journal or JSON. \
            Exit codes: 0 done; 1 the licence has expired, a push failed or conflicts; 2 bad input (an unreadable \
            or invalid licence file, bad flags).
            """,
        subcommands: [Check.self, Pack.self, Push.self, Plan.self]
    )
}

/// The licence file and the package version, shared by the subcommands.
struct LicenseFileOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The licence file Chocolatey sent.", valueName: "chocolatey.license.xml"))
    var file: String

    @Option(help: "Package version instead of the Quick Start's yyyy.MM.dd.<nodes> from the expiration (e.g. to supersede a different package pushed under the same version).")
    var packageVersion: String?

    /// The validated licence (exit 2 for a bad file); expired licences are returned, callers decide.
    func load() throws -> ChocolateyLicense { try LicenseReader.read(path: file) }

    /// The package version: the flag, or the Quick Start's scheme.
    func version(for license: ChocolateyLicense) throws -> NuGetVersion {
        guard let packageVersion else { return LicensePackage.version(for: license) }
        do { return try NuGetVersion(parsing: packageVersion) } catch { throw ValidationError("--package-version: \(error)") }
    }

    /// The licence, refused when expired (nothing is built or rolled out from an expired licence, as the
    /// Quick Start refuses too); a warning within 30 days.
    func loadUsable() throws -> ChocolateyLicense {
        let license = try load()
        let expiry = LicenseExpiry(license)
        if expiry.isExpired { throw LicenseError.expired(file: license.file, expiration: license.expirationDay) }
        if case .expiringSoon = expiry { Console.warning("\(license.file): \(expiry.summary(for: license))") }
        return license
    }
}

extension LicenseCommand {
    /// `license check FILE`: is the file a usable licence?
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a licence file: well-formed, signed, a known type, not expired.",
            discussion: "Exit codes: 0 valid (a warning within 30 days of the expiration); 1 expired; 2 not a usable licence file."
        )

        @OptionGroup var license: LicenseFileOptions
        @Option(help: "Output format: text or json.") var format: OutputFormat = .text

        func run() async throws {
            let licence = try license.load()
            let expiry = LicenseExpiry(licence)
            let version = try license.version(for: licence)
            if format == .json {
                Console.out(try Console.json(LicenseReport(licence, expiry: expiry, packageVersion: version.normalized)))
            } else {
                Console.out("\(licence.file): \(expiry.summary(for: licence))")
                Console.out("package: \(LicensePackage.id) \(version.normalized)")
            }
            for finding in expiry.findings(for: licence) where finding.severity == .warning {
                DiagnosticPrinter.shared.report(finding.diagnostic)
            }
            if expiry.isExpired { throw LicenseError.expired(file: licence.file, expiration: licence.expirationDay) }
        }
    }

    /// `license pack FILE --output-directory DIR`.
    struct Pack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pack",
            abstract: "Build the chocolatey-license package from a licence file, as Chocolatey's Quick Start does (same bytes every time).",
            discussion: "Exit codes: 0 written; 1 the licence has expired or the package cannot be written; 2 not a usable licence file."
        )

        @OptionGroup var license: LicenseFileOptions
        @Option(help: "Folder to write the package to (created when missing).") var outputDirectory: String = "."

        func run() async throws {
            let licence = try license.loadUsable()
            let built = try LicensePackage.build(licence, version: try license.version(for: licence), outputDirectory: outputDirectory)
            let hash = try PackageHash.sha512AndSize(ofFileAt: built.path).hash
            Console.out("wrote \(built.path) (\(built.identity), SHA-512 \(hash.base64))")
            Console.out("it contains the licence: push it to the internal feed only ('ccm-upgrade license push')")
        }
    }
}
