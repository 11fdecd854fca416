import Foundation
import FileSupport

/// CCM group ids by name. Group ids are instance-specific, so they come from a groups file or from the
/// API (`Groups/GetAll`), never from a guess. Names match case-insensitively, as CCM's clients do.
public struct GroupDirectory: Sendable, Hashable {
    /// Lower-cased name → (name as CCM spells it, id).
    private var entries: [String: (name: String, id: Int)]
    /// Where the ids came from, for messages (`groups.json`, `https://ccm/…/Groups/GetAll`).
    public let source: String

    public init(groups: [(name: String, id: Int)], source: String) {
        var entries: [String: (name: String, id: Int)] = [:]
        for group in groups where entries[group.name.lowercased()] == nil { entries[group.name.lowercased()] = group }
        self.entries = entries
        self.source = source
    }

    /// The id of `name`, or nil.
    public func id(of name: String) -> Int? { entries[name.lowercased()]?.id }

    /// Every name, as CCM spells it.
    public var names: [String] { entries.values.map(\.name).sorted() }

    /// The groups file form `{"NAME": ID, …}`, sorted by name (what `--groups-file` reads).
    public var fileText: String {
        let lines = entries.values.sorted { $0.name < $1.name }.map { "  \(DeploymentJSON.string($0.name)): \($0.id)" }
        return lines.isEmpty ? "{}" : "{\n" + lines.joined(separator: ",\n") + "\n}"
    }

    /// Resolves `name` or throws ``DeploymentError/groupNotFound(name:known:source:)``.
    public func require(_ name: String) throws(DeploymentError) -> Int {
        guard let id = id(of: name) else { throw .groupNotFound(name: name, known: names, source: source) }
        return id
    }

    public static func == (lhs: GroupDirectory, rhs: GroupDirectory) -> Bool {
        lhs.source == rhs.source && lhs.entries.mapValues(\.id) == rhs.entries.mapValues(\.id)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(entries.mapValues(\.id))
    }

    /// Reads a groups file: `{"Servers": 3, "Workstations": 7}`, a list `[{"id": 3, "name": "Servers"}]`, or
    /// a saved `Groups/GetAll` answer `{"result": [{"id": 3, "name": "Servers", …}]}`.
    public static func load(path: String) throws(DeploymentError) -> GroupDirectory {
        let text: String
        do { text = try TextFile.read(atPath: path) } catch { throw .invalidGroupsFile(file: path, problem: error.reason) }
        return try parse(Data(text.utf8), file: path)
    }

    public static func parse(_ data: Data, file: String) throws(DeploymentError) -> GroupDirectory {
        let root: JSONValue
        do { root = try JSONValue.parse(data) } catch {
            throw .invalidGroupsFile(file: file, problem: "not valid JSON: \(JSONValue.syntaxProblem(in: data))")
        }
        if case let .object(map) = root, root["result"] == nil {
            var groups: [(name: String, id: Int)] = []
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                guard let id = value.int else {
                    throw .invalidGroupsFile(file: file, problem: "'\(name)': expected a group id (a whole number), got \(value.typeName)")
                }
                groups.append((name, id))
            }
            return GroupDirectory(groups: groups, source: file)
        }
        guard let items = (root["result"] ?? root).array else {
            throw .invalidGroupsFile(file: file, problem: "expected {\"NAME\": ID, …}, [{\"id\": ID, \"name\": NAME}, …] or a Groups/GetAll answer")
        }
        return GroupDirectory(groups: try entries(items, where: file), source: file)
    }

    /// The `{id, name}` entries of a `Groups/GetAll` result list.
    static func entries(_ items: [JSONValue], where location: String) throws(DeploymentError) -> [(name: String, id: Int)] {
        var groups: [(name: String, id: Int)] = []
        for (index, item) in items.enumerated() {
            guard let name = item["name"]?.string, let id = item["id"]?.int else {
                throw .invalidGroupsFile(file: location, problem: "entry \(index + 1): expected an object with 'id' (number) and 'name' (text)")
            }
            groups.append((name, id))
        }
        return groups
    }
}
