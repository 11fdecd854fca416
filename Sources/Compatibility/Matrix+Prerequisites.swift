import Versioning

/// Reading `prerequisites.yaml`.
extension Matrix {
    mutating func decodePrerequisites(_ root: Cursor, _ entries: [(key: String, value: Cursor)], _ reader: YAMLReader, _ known: Set<String>) {
        let eras = reader.field(entries, "dotnet_eras", in: root, required: "a list of .NET eras")
        dotnetEras = reader.sequence(eras).compactMap { decodeEra($0, reader, known) }
        let sqlServer = reader.field(entries, "sql_server", in: root, required: "a list of SQL Server minimums")
        sqlServerMinimums = reader.sequence(sqlServer).compactMap {
            decodeMinimum($0, reader, known, expected: "a SQL Server release such as \"2016\" or \"2008 R2\"") { ServerRelease.sqlServer($0) }
        }
        let windows = reader.field(entries, "windows_server", in: root, required: "a list of Windows Server minimums")
        windowsServerMinimums = reader.sequence(windows).compactMap {
            decodeMinimum($0, reader, known, expected: "a Windows Server release such as \"2016\" or \"2012 R2\"") { ServerRelease.windowsServer($0) }
        }
        let powershell = reader.field(entries, "powershell", in: root, required: "a list of PowerShell minimums")
        powershellMinimums = reader.sequence(powershell).compactMap {
            decodeMinimum($0, reader, known, expected: "a PowerShell version such as \"5.1\"", needsComponent: true) { NuGetVersion($0) }
        }
    }

    private func decodeEra(_ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> DotnetEra? {
        let keys = ["ccm_range", "runtime", "runtime_range", "runtime_range_basis", "packages", "documented_pairs", "provenance", "note"]
        guard let fields = reader.mapping(cursor, allowed: keys) else { return nil }
        let ccmRange = reader.range(reader.field(fields, "ccm_range", in: cursor, required: "{ min: \"x\", max_exclusive: \"y\" }"), requireMin: false)
        let runtime = reader.string(reader.field(fields, "runtime", in: cursor, required: "the runtime name, e.g. \".NET 8.0\""))
        let runtimeRange = reader.range(reader.field(fields, "runtime_range", in: cursor, required: "the runtime versions { min, max_exclusive }"), requireMin: true)
        let basis = reader.string(reader.field(fields, "runtime_range_basis", in: cursor, required: "why runtime_range is what it is"))
        let packages = reader.sequence(reader.field(fields, "packages", in: cursor, required: "the runtime packages")).compactMap {
            decodePrerequisitePackage($0, reader, known)
        }
        var pairs: [[String: NuGetVersion]] = []
        for pairCursor in reader.sequence(reader.field(fields, "documented_pairs", in: cursor, required: nil)) {
            guard let entries = reader.mapping(pairCursor, allowed: nil) else { continue }
            var pair: [String: NuGetVersion] = [:]
            for (id, value) in entries where checkKnown(id, value, reader, known) {
                if let version = reader.version(value) { pair[id] = version }
            }
            if pair.count >= 2 {
                pairs.append(pair)
            } else {
                reader.error(.invalidValue(file: pairCursor.file, line: pairCursor.line, field: pairCursor.field, expected: "two or more package ids with versions", found: "\(pair.count)"))
            }
        }
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let ccmRange, let runtime, let runtimeRange, let basis, let provenance else { return nil }
        return DotnetEra(
            ccmRange: ccmRange, runtime: runtime, runtimeRange: runtimeRange, runtimeRangeBasis: basis, packages: packages,
            documentedPairs: pairs, provenance: provenance, note: reader.string(reader.field(fields, "note", in: cursor, required: nil)),
            location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodePrerequisitePackage(_ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> PrerequisitePackage? {
        let keys = ["id", "for", "ccm_min", "range", "docs_pinned", "optional", "note"]
        guard let fields = reader.mapping(cursor, allowed: keys) else { return nil }
        let idCursor = reader.field(fields, "id", in: cursor, required: "the package id")
        let forCursor = reader.field(fields, "for", in: cursor, required: "the server packages that need it")
        let requiredBy = reader.sequence(forCursor).compactMap { item -> String? in
            guard let id = reader.string(item), checkKnown(id, item, reader, known) else { return nil }
            return id
        }
        let rangeCursor = reader.field(fields, "range", in: cursor, required: nil)
        let range = reader.range(rangeCursor, requireMin: true)
        let pinned = reader.sequence(reader.field(fields, "docs_pinned", in: cursor, required: nil)).compactMap { reader.version($0) }
        guard let idCursor, let id = reader.string(idCursor), checkKnown(id, idCursor, reader, known), rangeCursor == nil || range != nil else { return nil }
        return PrerequisitePackage(
            id: id, requiredBy: requiredBy, ccmMin: reader.version(reader.field(fields, "ccm_min", in: cursor, required: nil)),
            range: range ?? .all, docsPinned: pinned,
            optional: reader.bool(reader.field(fields, "optional", in: cursor, required: nil)) ?? false,
            note: reader.string(reader.field(fields, "note", in: cursor, required: nil)))
    }

    private func decodeMinimum<Value>(
        _ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>, expected: String, needsComponent: Bool = false,
        parse: (String) -> Value?
    ) -> PlatformMinimum<Value>? {
        guard let fields = reader.mapping(cursor, allowed: ["ccm_range", "minimum", "component", "inferred", "provenance"]) else { return nil }
        let ccmRange = reader.range(reader.field(fields, "ccm_range", in: cursor, required: "{ min: \"x\", max_exclusive: \"y\" }"), requireMin: false)
        let minimumCursor = reader.field(fields, "minimum", in: cursor, required: expected)
        var minimum: Value?
        if let minimumCursor, let text = reader.string(minimumCursor) {
            minimum = parse(text)
            if minimum == nil {
                reader.error(.invalidValue(file: cursor.file, line: minimumCursor.line, field: minimumCursor.field, expected: expected, found: text))
            }
        }
        var component: String?
        if let componentCursor = reader.field(fields, "component", in: cursor, required: needsComponent ? "the server package it applies to" : nil),
           let id = reader.string(componentCursor), checkKnown(id, componentCursor, reader, known) {
            component = id
        }
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let ccmRange, let minimum, let provenance, !needsComponent || component != nil else { return nil }
        return PlatformMinimum(
            ccmRange: ccmRange, minimum: minimum, component: component,
            inferred: reader.bool(reader.field(fields, "inferred", in: cursor, required: nil)) ?? false,
            provenance: provenance, location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func checkKnown(_ id: String, _ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> Bool {
        if known.contains(id.lowercased()) { return true }
        reader.error(.unknownPackage(file: cursor.file, line: cursor.line, field: cursor.field, id: id))
        return false
    }
}
