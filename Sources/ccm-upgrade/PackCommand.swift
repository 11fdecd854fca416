import ArgumentParser
import Nupkg

/// `ccm-upgrade pack <nuspec>...`
struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Build .nupkg files from .nuspec files (like choco pack), e.g. to repack a community package.",
        discussion: "Exit codes: 0 all packed; 1 at least one failed."
    )

    @Argument(help: "Nuspec files to pack.")
    var nuspecs: [String]

    @Option(name: .customLong("output-directory"), help: "Folder for the written packages.")
    var outputDirectory = "."

    func run() async throws {
        var failed = false
        for nuspec in nuspecs {
            do {
                let written = try PackageBuilder.pack(nuspecPath: nuspec, outputDirectory: outputDirectory)
                Console.out(written)
            } catch {
                Console.error(error.description)
                failed = true
            }
        }
        if failed { throw ExitCodes.problemsFound }
    }
}
