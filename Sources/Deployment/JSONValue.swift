import Foundation
import JSONOutput

/// Any JSON value, with booleans kept apart from numbers (`JSONSerialization` on Linux blurs them), for
/// reading hand-made deployment files field by field and CCM's loosely documented answers.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Double.self) { self = .number(value); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    /// Parses JSON text; the error text says where it broke.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Why `data` is not JSON, in words with a line and column (JSONDecoder's own error says neither):
    /// `line 3, column 9: expected ...`.
    public static func syntaxProblem(in data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
        if text.allSatisfy(\.isWhitespace) { return "the file is empty: expected a JSON object" }
        do throws(JSONLocator.SyntaxError) {
            _ = try JSONLocator(text)
            // Well-formed, yet not decodable (a number beyond a double's range): the decoder's own words.
            do { _ = try parse(data) } catch let DecodingError.dataCorrupted(context) {
                return "the JSON could not be read: \(context.debugDescription)"
            } catch {}
            return "the JSON could not be read"
        } catch {
            return "line \(error.line), column \(error.column): \(error.message)"
        }
    }

    /// The member `key`, matched case-insensitively (CCM matches property names that way); exact first.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        if let exact = members[key] { return exact }
        return members.first { $0.key.lowercased() == key.lowercased() }?.value
    }

    /// A whole number: a JSON integer, or a string of digits as old clients send.
    public var int: Int? {
        switch self {
        case let .number(value): return value == value.rounded() ? Int(exactly: value) : nil
        case let .string(text): return Int(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    public var string: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case let .array(items) = self { return items }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// The JSON type's name, for messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "text"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
