import ArgumentParser
import Compatibility
import Diagnostics
import Versioning

extension MatrixCommand {
    /// `matrix show [VERSION]`: every row, or what one CCM version needs, with provenance.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show every matrix row, or everything one CCM version needs, with sources.",
            discussion: "Exit codes: 0 shown; 1 the version is unknown to the matrix or has no row; 2 bad input."
        )

        @Argument(help: "A CCM version, e.g. 0.14.0. Without it, every row is listed.")
        var version: String?

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var source: MatrixSourceOptions

        func run() async throws {
            let matrix = try source.load()
            guard let version else {
                print(format == .json ? MatrixRendering.json(allRowsOf: matrix) : MatrixRendering.text(allRowsOf: matrix), terminator: "")
                return
            }
            let ccm: NuGetVersion
            do { ccm = try NuGetVersion(parsing: version) } catch { throw CommandFailure.badInput("\(error)") }
            do {
                let requirements = try matrix.requirements(forCCM: ccm)
                print(format == .json ? MatrixRendering.json(requirements) : MatrixRendering.text(requirements), terminator: "")
            } catch {
                throw CommandFailure.problem("\(error)")
            }
        }
    }
}
