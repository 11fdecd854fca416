import Compatibility
import Foundation
import Versioning
import FileSupport

/// Re-checks a plan file on load. A plan can't contain combined or out-of-order upgrades by construction;
/// this catches hand edits (and plans from other tools) that would.
public enum PlanValidator {
    /// Every problem found; empty when the plan is safe to run.
    public static func problems(in plan: UpgradePlan) -> [String] {
        var problems: [String] = []
        if plan.formatVersion != UpgradePlan.currentFormatVersion {
            problems.append("format version \(plan.formatVersion) is not supported (this build reads \(UpgradePlan.currentFormatVersion))")
        }
        if let problem = sourceProblem(plan.source) { problems.append(problem) }
        let serverIDs = Set(CCMCatalogue.standard.serverPackageIDs)
        var lastServerPhase: PlanStep.Phase?
        var previousPhase: PlanStep.Phase?
        for (index, step) in plan.steps.enumerated() {
            let label = "step \(step.number) (\(step.package))"
            if step.number != index + 1 { problems.append("\(label): numbered \(step.number) at position \(index + 1); steps must be numbered 1, 2, 3, ...") }
            // One package per step: no spaces, commas or semicolons smuggled into the id.
            if step.package.contains(where: { $0 == " " || $0 == "," || $0 == ";" || $0 == "|" }) {
                problems.append("\(label): a step must upgrade exactly one package")
            }
            if let previousPhase, step.phase < previousPhase {
                problems.append("\(label): phase \(step.phase.rawValue) comes after \(previousPhase.rawValue); the order is internalize → server prerequisites → database → service → web → host agents → client agents")
            }
            previousPhase = step.phase
            switch step.phase {
            case .internalize:
                if step.package != Planner.internalizeStepPackage { problems.append("\(label): an internalize step must be \(Planner.internalizeStepPackage)") }
            case .database, .service, .web:
                let expected = ServerRole(rawValue: step.phase.rawValue)?.packageID ?? step.phase.rawValue
                if step.package.lowercased() != expected { problems.append("\(label): the \(step.phase.rawValue) step must upgrade \(expected)") }
                if step.version != plan.target {
                    problems.append("\(label): \(step.package) \(step.version.normalized) differs from the plan target \(plan.target.normalized); the three server packages must end at one version")
                }
                if let last = lastServerPhase, last >= step.phase { problems.append("\(label): server steps must run database → service → web, once each") }
                lastServerPhase = step.phase
                if step.host == nil { problems.append("\(label): a server step needs the host it runs on") }
            case .serverPrerequisites, .hostAgent:
                if serverIDs.contains(step.package.lowercased()) { problems.append("\(label): server packages belong in the database/service/web phases") }
                if step.host == nil { problems.append("\(label): the step needs the host it runs on") }
            case .clientAgents:
                if serverIDs.contains(step.package.lowercased()) { problems.append("\(label): server packages cannot be upgraded on client groups") }
                if step.group == nil { problems.append("\(label): a client step needs its group") }
            case .license, .restart:
                problems += LicenseRenewalPlanner.problems(in: step, label: label)
            }
            for parameter in step.parameters + step.sensitiveParameters where parameter.name.contains(where: { $0 == " " || $0 == ";" }) {
                problems.append("\(label): parameter '\(parameter.name)' is not a single Chocolatey parameter name")
            }
            for parameter in step.parameters where ["password", "connectionstring"].contains(parameter.name.lowercased()) {
                if case .text = parameter.value { problems.append("\(label): /\(parameter.name) in clear text; secrets must be references in sensitiveParameters") }
            }
            for parameter in step.parameters where parameter.isSecret {
                problems.append("\(label): /\(parameter.name) is a secret reference in 'parameters', which go on choco's plain command line; move it to sensitiveParameters")
            }
        }
        return problems
    }

    /// Nil when `source` can go on choco's command line; a source URL with a password (`user:pw@`) cannot:
    /// choco would show it to every process on the host and the plan file would store it.
    public static func sourceProblem(_ source: String) -> String? {
        guard let password = URLComponents(string: source)?.password, !password.isEmpty else { return nil }
        return "the source URL carries a password (user:password@), which would go on choco's command line and into the plan; "
            + "plan with the URL without credentials and register them with choco (choco source add --name=internal --source=URL --user=… --password=…)"
    }

    /// Reads and validates a plan file; refuses it with every problem listed.
    public static func load(path: String) throws(PlanningError) -> UpgradePlan {
        let data: Data
        do { data = Data(try TextFile.read(atPath: path).utf8) } catch { throw .io(path: path, reason: "cannot read the plan file: \(error.reason)") }
        let name = (path as NSString).lastPathComponent
        // The version first: an older format would otherwise fail on some field with a confusing message.
        struct Header: Decodable { var formatVersion: Int? }
        if let header = try? JSONDecoder().decode(Header.self, from: data), let version = header.formatVersion,
           version != UpgradePlan.currentFormatVersion {
            let age = version < UpgradePlan.currentFormatVersion ? "an older" : "a newer"
            throw .invalidPlan(file: path, problems: [
                "plan format \(version) was written by \(age) ccm-upgrade (this build reads format \(UpgradePlan.currentFormatVersion)); plans are short-lived: make a new one with `ccm-upgrade plan`",
            ])
        }
        let plan: UpgradePlan
        do { plan = try JSONDecoder().decode(UpgradePlan.self, from: data) } catch {
            throw .invalidPlan(file: path, problems: ["\(name): \(PlanDecodingProblem.describe(error, data: data))"])
        }
        let problems = problems(in: plan)
        guard problems.isEmpty else { throw .invalidPlan(file: path, problems: problems) }
        return plan
    }
}
