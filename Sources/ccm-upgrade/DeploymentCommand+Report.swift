import ArgumentParser
import Deployment
import Diagnostics
import Foundation

extension DeploymentCLI {
    /// Waits, printing each change of state, then reports; exit 1 unless the plan succeeded.
    static func waitAndReport(client: CCMClient, id: Int, waiting: WaitArguments, format: OutputFormat) async throws {
        let status = try await client.wait(id, intervalSeconds: waiting.interval, maxPolls: waiting.maxPolls,
                                           inconclusivePolls: waiting.inconclusivePolls) { status in
            if format == .text { DiagnosticPrinter.shared.log("deployment plan \(status.id): \(status.state)") }
        }
        try report(status, format: format)
        if status.result != .success { throw ExitCodes.problemsFound }
    }

    static func report(_ status: PlanStatus, format: OutputFormat) throws {
        switch format {
        case .text: Console.out(status.text)
        case .json: Console.out(try Console.json(StatusJSON(status)))
        }
    }
}

/// `--format json` of a plan status.
private struct StatusJSON: Encodable {
    struct Computer: Encodable { let name: String; let result: String; let resultCode: Int; let exitCode: Int? }
    struct Step: Encodable { let id: Int?; let planOrder: Int; let name: String; let result: String; let resultCode: Int; let computers: [Computer]? }
    let id: Int
    let name: String
    let state: String
    let result: String
    let resultCode: Int
    let steps: [Step]
    let notes: [String]

    init(_ status: PlanStatus) {
        id = status.id
        name = status.name
        state = status.state.description
        result = status.result.description
        resultCode = status.result.rawValue
        notes = status.notes
        steps = status.steps.map { step in
            Step(id: step.id, planOrder: step.planOrder, name: step.name, result: step.result.description, resultCode: step.result.rawValue,
                 computers: step.computers?.map { Computer(name: $0.name, result: $0.result.description, resultCode: $0.result.rawValue, exitCode: $0.exitCode) })
        }
    }
}
