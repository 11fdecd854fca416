import Foundation
import PackagePlugin

/// Compiles `matrix/*.yaml` into the `Compatibility` module as string literals.
///
/// A build-tool plugin (rather than a resource bundle or a committed generated file) because the binary
/// must work when copied anywhere, and because editing `matrix/` must never leave a stale copy behind:
/// SwiftPM reruns the tool whenever one of the YAML files changes.
@main
struct EmbedMatrix: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let matrixDirectory = context.package.directoryURL.appending(path: "matrix")
        let names = try FileManager.default.contentsOfDirectory(atPath: matrixDirectory.path)
            .filter { $0.hasSuffix(".yaml") }
            .sorted()
        let inputs = names.map { matrixDirectory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMatrix.swift")
        return [
            .buildCommand(
                displayName: "Embedding the matrix folder (\(names.count) YAML files) into \(target.name)",
                executable: try context.tool(named: "EmbedMatrixTool").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
