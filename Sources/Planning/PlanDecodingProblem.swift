import Foundation

/// Says a plan file's decoding error in the plan's words: `step 4 (service), parameters[1]: expected an
/// object with name/value` rather than Foundation's `steps.Index 3.parameters.Index 0: Expected to decode
/// Dictionary<String, Any>`.
enum PlanDecodingProblem {
    static func describe(_ error: any Error, data: Data) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "\(place(context.codingPath, data)): missing field '\(key.stringValue)'"
        case let DecodingError.typeMismatch(type, context):
            return "\(place(context.codingPath, data)): expected \(expected(type, context.codingPath))"
        case let DecodingError.valueNotFound(type, context):
            return "\(place(context.codingPath, data)): expected \(expected(type, context.codingPath)), found null"
        case let DecodingError.dataCorrupted(context):
            if context.codingPath.isEmpty { return "not a ccm-upgrade plan (JSON): \(underlying(context))" }
            return "\(place(context.codingPath, data)): \(context.debugDescription)"
        default:
            return "not a ccm-upgrade plan (JSON): \(error)"
        }
    }

    /// JSONSerialization's own message for broken JSON (it names the line and column).
    private static func underlying(_ context: DecodingError.Context) -> String {
        (context.underlyingError.map { ($0 as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\($0)" }) ?? context.debugDescription
    }

    /// `step 4 (service), parameters[1].value`: steps by number and phase, other lists 1-based.
    static func place(_ path: [any CodingKey], _ data: Data) -> String {
        var parts: [String] = []
        var index = 0
        while index < path.count {
            let key = path[index]
            if key.stringValue == "steps", index + 1 < path.count, let position = path[index + 1].intValue {
                parts.append("step \(position + 1)" + (phase(ofStep: position, in: data).map { " (\($0))" } ?? ""))
                index += 2
                continue
            }
            if let position = key.intValue {
                if parts.isEmpty { parts.append("[\(position + 1)]") } else { parts[parts.count - 1] += "[\(position + 1)]" }
            } else if let last = parts.last, !last.hasPrefix("step ") {
                parts[parts.count - 1] = last + "." + key.stringValue
            } else {
                parts.append(key.stringValue)
            }
            index += 1
        }
        return parts.isEmpty ? "the plan" : parts.joined(separator: ", ")
    }

    private static func phase(ofStep position: Int, in data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let steps = root["steps"] as? [Any], position < steps.count,
              let step = steps[position] as? [String: Any] else { return nil }
        return step["phase"] as? String
    }

    /// What the field holds, in words: objects of the plan's element types name their fields.
    private static func expected(_ type: Any.Type, _ path: [any CodingKey]) -> String {
        let container = path.last(where: { $0.intValue == nil })?.stringValue
        if type is [String: Any].Type || "\(type)".hasPrefix("Dictionary") {
            switch container {
            case "parameters", "sensitiveParameters": return "an object with name/value"
            case "packages": return "an object with id/version"
            case "preflight": return "an object with severity/rule/subject/message"
            case "steps": return "an object with number/phase/package/version"
            default: return "an object"
            }
        }
        if type is [Any].Type || "\(type)".hasPrefix("Array") { return "a list" }
        if type == String.self { return "text" }
        if type == Int.self || type == Double.self { return "a number" }
        if type == Bool.self { return "true or false" }
        return "\(type)"
    }
}
