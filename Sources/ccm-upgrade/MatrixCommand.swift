import ArgumentParser

struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "matrix", abstract: "Check the CCM compatibility matrix.")
    func run() async throws {}
}
