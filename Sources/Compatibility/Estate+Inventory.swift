import Versioning

extension Estate {
    /// Reads an inventory file (YAML, or JSON, which YAML includes). Format (see docs/matrix.md):
    ///
    /// ```yaml
    /// ccm: "0.14.0"            # all three server packages; database/service/web override it
    /// database: "0.14.0"
    /// dotnet: "8.0.8"          # .NET runtime on the CCM servers
    /// sql_server: "2019"
    /// windows_server: "2022"
    /// prerequisites: { dotnet-8.0-aspnetruntime: "8.0.8" }
    /// groups:
    ///   - name: servers
    ///     chocolatey-agent: "1.1.0"
    ///     chocolatey.extension: "4.2.0"
    ///     chocolatey: "1.1.0"
    /// ```
    ///
    /// Every problem is reported with file, line and field; nothing is guessed.
    public static func inventory(text: String, file: String, matrix: Matrix) throws(MatrixLoadError) -> Estate {
        let reader = YAMLReader()
        let estate = decodeInventory(text: text, file: file, matrix: matrix, reader: reader)
        let errors = reader.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty, let estate else {
            throw MatrixLoadError(diagnostics: errors.isEmpty ? [MatrixDiagnostic(.error, .unreadable(file: file, reason: "no inventory found"))] : errors)
        }
        return estate
    }

    private static func decodeInventory(text: String, file: String, matrix: Matrix, reader: YAMLReader) -> Estate? {
        guard let root = reader.document(text: text, file: file) else { return nil }
        let keys = ["ccm", "database", "service", "web", "dotnet", "sql_server", "windows_server", "prerequisites", "groups"]
        guard let fields = reader.mapping(root, allowed: keys, expected: "a mapping with \(keys.joined(separator: ", "))") else { return nil }
        var estate = Estate()
        if let ccm = reader.version(reader.field(fields, "ccm", in: root, required: nil)) {
            estate = Estate(ccm: ccm)
        }
        if let version = reader.version(reader.field(fields, "database", in: root, required: nil)) { estate.database = version }
        if let version = reader.version(reader.field(fields, "service", in: root, required: nil)) { estate.service = version }
        if let version = reader.version(reader.field(fields, "web", in: root, required: nil)) { estate.web = version }
        estate.dotnetRuntime = reader.version(reader.field(fields, "dotnet", in: root, required: nil))
        estate.sqlServer = platform(reader.field(fields, "sql_server", in: root, required: nil), reader, "a SQL Server release such as \"2019\", \"2008 R2\" or a product version such as \"15.0\"", ServerRelease.sqlServer)
        estate.windowsServer = platform(reader.field(fields, "windows_server", in: root, required: nil), reader, "a Windows Server release such as \"2022\", \"2012 R2\" or a build such as \"10.0.20348\"", ServerRelease.windowsServer)
        if let prerequisites = reader.field(fields, "prerequisites", in: root, required: nil),
           let entries = reader.mapping(prerequisites, allowed: matrix.packages.filter { $0.role == .prerequisite }.map(\.id)) {
            for (id, value) in entries {
                if let version = reader.version(value) { estate.prerequisites[id.lowercased()] = version }
            }
        }
        let clientIDs = matrix.packages.filter { $0.role == .client }.map(\.id)
        var names = Set<String>()
        for groupCursor in reader.sequence(reader.field(fields, "groups", in: root, required: nil)) {
            guard let entries = reader.mapping(groupCursor, allowed: ["name"] + clientIDs) else { continue }
            let nameCursor = reader.field(entries, "name", in: groupCursor, required: "the group name")
            guard let name = reader.string(nameCursor) else { continue }
            if !names.insert(name).inserted {
                reader.error(.inconsistent(file: file, line: groupCursor.line, field: groupCursor.field + ".name", problem: "group '\(name)' is listed twice"))
            }
            var group = AgentGroup(name: name)
            for (id, value) in entries where id != "name" {
                if let version = reader.version(value) { group.packages[id.lowercased()] = version }
            }
            estate.groups.append(group)
        }
        return estate
    }

    private static func platform(_ cursor: Cursor?, _ reader: YAMLReader, _ expected: String, _ parse: (String) -> ServerRelease?) -> ServerRelease? {
        guard let cursor, let text = reader.string(cursor) else { return nil }
        guard let value = parse(text) else {
            reader.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: expected, found: text))
            return nil
        }
        return value
    }
}
