import Diagnostics
import Foundation
import FileSupport

/// Reads a deployment-plan JSON file (CCM's import format) field by field, so that a hand-made file with
/// a wrong type or a missing field gets a diagnostic per problem instead of one decoding error.
/// Property names match case-insensitively, as CCM matches them.
public enum DocumentReader {
    /// The largest deployment-plan file read: real plans are a few KiB (a 10 MB file cost 559 MiB and 8 s).
    public static let maxFileBytes = 4 << 20
    /// The longest step script accepted: CCM scripts are a few lines.
    public static let maxScriptBytes = 256 << 10

    /// The document and the format problems found while reading it (nil document: not usable at all).
    public static func read(_ data: Data, file: String) -> (document: DeploymentPlanDocument?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func error(_ step: Int?, _ message: String, rule: String = LintRule.format) {
            diagnostics.append(Diagnostic.lint(file: file, step: step, .error, rule: rule, message))
        }
        guard data.count <= maxFileBytes else {
            error(nil, "the file is \(data.count) bytes; a deployment plan may be at most \(maxFileBytes >> 20) MiB")
            return (nil, diagnostics)
        }
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch let parseError {
            _ = parseError
            error(nil, "not valid JSON: \(JSONValue.syntaxProblem(in: data))")
            return (nil, diagnostics)
        }
        guard case let .object(members) = root else {
            error(nil, "expected a JSON object with Name and DeploymentSteps (CCM's deployment-plan export), got \(root.typeName)")
            return (nil, diagnostics)
        }
        for key in members.keys.sorted() where !DeploymentFields.plan.contains(where: { $0.lowercased() == key.lowercased() }) {
            diagnostics.append(Diagnostic.lint(file: file, step: nil, .warning, rule: LintRule.unknownField,
                                              "unknown plan field '\(key)'; CCM's import format has \(DeploymentFields.plan.joined(separator: ", "))"))
        }
        var reader = FieldReader(object: root, step: nil, report: { error($0, $1) })
        var document = DeploymentPlanDocument(name: "")
        document.name = reader.string("Name") ?? ""
        document.scheduledDateTimeUtc = reader.optionalString("ScheduledDateTimeUtc")
        document.lastScheduledDateTimeUtc = reader.optionalString("LastScheduledDateTimeUtc")
        document.repeatPeriod = reader.int("RepeatPeriod") ?? 0
        document.executionTimeoutInSeconds = reader.int("ExecutionTimeoutInSeconds") ?? DeploymentDefaults.executionTimeoutInSeconds
        document.requiresApproval = reader.bool("RequiresApproval") ?? false
        guard let stepsValue = root["DeploymentSteps"] else {
            error(nil, "missing field 'DeploymentSteps' (a list of steps)")
            return (document, diagnostics)
        }
        guard let items = stepsValue.array else {
            error(nil, "'DeploymentSteps' must be a list, got \(stepsValue.typeName)")
            return (document, diagnostics)
        }
        for (index, item) in items.enumerated() {
            let number = index + 1
            guard case let .object(stepMembers) = item else {
                error(number, "expected an object, got \(item.typeName)")
                continue
            }
            for key in stepMembers.keys.sorted() where !DeploymentFields.step.contains(where: { $0.lowercased() == key.lowercased() }) {
                diagnostics.append(Diagnostic.lint(file: file, step: number, .warning, rule: LintRule.unknownField,
                                                  "unknown step field '\(key)'; CCM's import format has \(DeploymentFields.step.joined(separator: ", "))"))
            }
            var stepReader = FieldReader(object: item, step: number, report: { error($0, $1) })
            var step = DeploymentStepDocument(name: "", isPrivileged: false, planOrder: number, script: "")
            step.name = stepReader.string("Name") ?? ""
            step.isPrivileged = stepReader.bool("IsPrivileged") ?? false
            step.planOrder = stepReader.int("PlanOrder") ?? number
            step.script = stepReader.string("Script") ?? ""
            guard step.script.utf8.count <= maxScriptBytes else {
                error(number, "'Script' is \(step.script.utf8.count) bytes; a step script may be at most \(maxScriptBytes >> 10) KiB")
                return (nil, diagnostics)
            }
            step.validExitCodes = stepReader.string("ValidExitCodes") ?? DeploymentDefaults.validExitCodesText
            step.executionTimeoutInSeconds = stepReader.int("ExecutionTimeoutInSeconds") ?? DeploymentDefaults.executionTimeoutInSeconds
            step.failOnError = stepReader.bool("FailOnError") ?? true
            step.requireSuccessOnAllComputers = stepReader.bool("RequireSuccessOnAllComputers") ?? false
            step.machineContactTimeoutInMinutes = stepReader.int("MachineContactTimeoutInMinutes") ?? 0
            step.deploymentStepGroupIds = stepReader.intList("DeploymentStepGroupIds")
            document.deploymentSteps.append(step)
        }
        return (document, diagnostics)
    }

    /// Reads a file for use (push): any format error is fatal.
    public static func load(path: String) throws(DeploymentError) -> DeploymentPlanDocument {
        let text: String
        do { text = try TextFile.read(atPath: path) } catch { throw .invalidFile(file: path, problem: error.reason) }
        let (document, diagnostics) = read(Data(text.utf8), file: path)
        let errors = diagnostics.filter { $0.severity == .error }
        guard let document, errors.isEmpty else {
            throw .invalidFile(file: path, problem: errors.map(\.description).joined(separator: "\n"))
        }
        return document
    }
}

/// Reads typed members of one object, reporting each missing or mistyped field once.
struct FieldReader {
    let object: JSONValue
    let step: Int?
    let report: (Int?, String) -> Void

    private func value(_ key: String, required: Bool = true) -> JSONValue? {
        guard let value = object[key] else {
            if required { report(step, "missing field '\(key)'") }
            return nil
        }
        return value
    }

    mutating func string(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else {
            report(step, "'\(key)' must be text, got \(value.typeName)")
            return nil
        }
        return text
    }

    /// Text or null; the field must be present (CCM's exports always write it).
    mutating func optionalString(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        if value.isNull { return nil }
        guard let text = value.string else {
            report(step, "'\(key)' must be null or an ISO-8601 UTC date-time text, got \(value.typeName)")
            return nil
        }
        return text
    }

    mutating func int(_ key: String) -> Int? {
        guard let value = value(key) else { return nil }
        // CCM's fields are C# ints: a larger whole number (9223372036854775807) is out of range, not "not a number".
        if case let .number(raw) = value, raw == raw.rounded(), Int32(exactly: raw) == nil {
            report(step, "'\(key)' is out of range: CCM reads it as a 32-bit whole number (\(Int32.min) to \(Int32.max))")
            return nil
        }
        guard case .number = value, let number = value.int else {
            report(step, "'\(key)' must be a whole number, got \(value.typeName)\(value.string.map { " '\($0)'" } ?? "")")
            return nil
        }
        return number
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else {
            report(step, "'\(key)' must be true or false, got \(value.typeName)\(value.string.map { " '\($0)'" } ?? "")")
            return nil
        }
        return flag
    }

    mutating func intList(_ key: String) -> [Int] {
        guard let value = value(key) else { return [] }
        guard let items = value.array else {
            report(step, "'\(key)' must be a list of group ids, got \(value.typeName)")
            return []
        }
        var ids: [Int] = []
        for item in items {
            guard case let .number(raw) = item, let id = item.int, Int32(exactly: raw) != nil else {
                report(step, "'\(key)' must hold CCM group ids (32-bit whole numbers), found \(item.typeName)\(item.int.map { " \($0)" } ?? "")")
                continue
            }
            ids.append(id)
        }
        return ids
    }
}
