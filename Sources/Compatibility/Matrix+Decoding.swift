import Versioning

/// Per-file readers. Each reports problems to the shared ``YAMLReader`` and keeps whatever parsed, so one
/// bad row does not hide the problems in the next.
extension Matrix {
    mutating func decode(files: [(name: String, text: String)], pathPrefix: String, reader: YAMLReader) {
        var documents: [String: Cursor] = [:]
        for (name, text) in files {
            let path = pathPrefix + name
            guard Self.requiredFiles.contains(where: { $0.name == name }) else {
                reader.warning(.inconsistent(file: path, line: 0, field: "(file)", problem: "not a matrix file, ignored; the matrix reads \(Self.requiredFiles.map(\.name).joined(separator: ", "))"))
                continue
            }
            guard let root = reader.document(text: text, file: path) else { continue }
            documents[name] = root
        }
        for (name, purpose) in Self.requiredFiles where !files.contains(where: { $0.name == name }) {
            reader.error(.missingFile(file: pathPrefix + name, expected: purpose))
        }
        func body(_ name: String, _ allowed: [String]) -> (Cursor, [(key: String, value: Cursor)])? {
            guard let root = documents[name], let entries = reader.mapping(root, allowed: ["schema_version"] + allowed) else { return nil }
            let schema = reader.field(entries, "schema_version", in: root, required: "schema_version: 1")
            if let schema, let text = reader.string(schema), text != "1" {
                reader.error(.invalidValue(file: root.file, line: schema.line, field: "schema_version", expected: "1 (the only schema this tool reads; update ccm-upgrade)", found: text))
            }
            return (root, entries)
        }
        if let (root, entries) = body("packages.yaml", ["packages", "server_upgrade_order"]) {
            decodePackages(root, entries, reader)
        }
        let known = Set(packages.map { $0.id.lowercased() })
        if let (root, entries) = body("ccm-compatibility.yaml", ["rows", "historical_rows", "unlisted_versions"]) {
            rows = reader.sequence(reader.field(entries, "rows", in: root, required: "a list of rows")).compactMap { decodeRow($0, reader, known) }
            historicalRows = reader.sequence(reader.field(entries, "historical_rows", in: root, required: nil)).compactMap { decodeRow($0, reader, known) }
            unlistedVersions = reader.sequence(reader.field(entries, "unlisted_versions", in: root, required: nil)).compactMap { decodeUnlisted($0, reader) }
        }
        if let (root, entries) = body("ccm-releases.yaml", ["releases"]) {
            releases = reader.sequence(reader.field(entries, "releases", in: root, required: "a list of releases")).compactMap { decodeRelease($0, reader) }
        }
        if let (root, entries) = body("product-dependencies.yaml", ["rules", "notes"]) {
            dependencyRules = reader.sequence(reader.field(entries, "rules", in: root, required: "a list of rules")).compactMap { decodeDependency($0, reader, known) }
            dependencyNotes = reader.sequence(reader.field(entries, "notes", in: root, required: nil)).compactMap { decodeNote($0, reader) }
        }
        if let (root, entries) = body("communication-breaks.yaml", ["breaks", "notes"]) {
            communicationBreaks = reader.sequence(reader.field(entries, "breaks", in: root, required: "a list of breaks")).compactMap { decodeBreak($0, reader, known) }
            communicationNotes = reader.sequence(reader.field(entries, "notes", in: root, required: nil)).compactMap { decodeNote($0, reader) }
        }
        if let (root, entries) = body("prerequisites.yaml", ["dotnet_eras", "sql_server", "windows_server", "powershell", "server_setup"]) {
            decodePrerequisites(root, entries, reader, known)
            decodeServerSetup(root, entries, reader)
        }
    }

    private mutating func decodePackages(_ root: Cursor, _ entries: [(key: String, value: Cursor)], _ reader: YAMLReader) {
        let decoded = CCMCatalogue.decode(root, entries, reader)
        (packages, serverUpgradeOrder, packagesLines) = (decoded.packages, decoded.order, decoded.lines)
        if let catalogue = CCMCatalogue(packages: packages, serverUpgradeOrder: serverUpgradeOrder) { self.catalogue = catalogue }
    }

    /// Reports an id that packages.yaml does not declare; returns the id when it is known.
    private func checkPackage(_ id: String, _ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>, allowUnit: Bool = false) -> Bool {
        if known.contains(id.lowercased()) || (allowUnit && id == Self.ccmUnitID) { return true }
        reader.error(.unknownPackage(file: cursor.file, line: cursor.line, field: cursor.field, id: id))
        return false
    }

    private func decodeRequirement(_ cursor: Cursor, id: String, _ reader: YAMLReader) -> PackageRequirement? {
        guard let fields = reader.mapping(cursor, allowed: ["min", "max_exclusive", "as_published"], expected: "a mapping { min: \"x\", as_published: \"x+\" }") else { return nil }
        let min = reader.version(reader.field(fields, "min", in: cursor, required: "the inclusive minimum version"))
        let maxCursor = reader.field(fields, "max_exclusive", in: cursor, required: nil)
        let max = reader.version(maxCursor)
        guard let min, maxCursor == nil || max != nil else { return nil }
        if let max, max <= min {
            reader.error(.inconsistent(file: cursor.file, line: cursor.line, field: cursor.field, problem: "min \(min) must be below max_exclusive \(max)"))
            return nil
        }
        return PackageRequirement(
            packageID: id, range: VersionRange(min: min, minInclusive: true, max: max, maxInclusive: false),
            asPublished: reader.string(reader.field(fields, "as_published", in: cursor, required: nil)))
    }

    private func decodeRow(_ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> CCMRow? {
        let keys = ["ccm", "ccm_range", "inferred", "requires", "superseded", "provenance", "note"]
        guard let fields = reader.mapping(cursor, allowed: keys) else { return nil }
        let label = reader.string(reader.field(fields, "ccm", in: cursor, required: "the row label as published, e.g. \"0.13.2\" or \"0.6.x\""))
        let range = reader.range(reader.field(fields, "ccm_range", in: cursor, required: "{ min: \"x\", max_exclusive: \"y\" }"), requireMin: true)
        let inferred = reader.bool(reader.field(fields, "inferred", in: cursor, required: nil)) ?? false
        var requirements: [PackageRequirement] = []
        if let requires = reader.field(fields, "requires", in: cursor, required: "the client package requirements"),
           let entries = reader.mapping(requires, allowed: nil) {
            for (id, value) in entries where checkPackage(id, value, reader, known) {
                if let requirement = decodeRequirement(value, id: id, reader) { requirements.append(requirement) }
            }
        }
        var superseded: [String: String] = [:]
        if let cursorSuperseded = reader.field(fields, "superseded", in: cursor, required: nil),
           let entries = reader.mapping(cursorSuperseded, allowed: nil) {
            for (id, value) in entries where checkPackage(id, value, reader, known) {
                superseded[id] = reader.string(value)
            }
        }
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let label, let range, let provenance else { return nil }
        return CCMRow(
            label: label, ccmRange: range, inferred: inferred, requirements: requirements, superseded: superseded,
            provenance: provenance, note: reader.string(reader.field(fields, "note", in: cursor, required: nil)),
            location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodeUnlisted(_ cursor: Cursor, _ reader: YAMLReader) -> UnlistedVersion? {
        guard let fields = reader.mapping(cursor, allowed: ["ccm", "problem", "provenance"]) else { return nil }
        let version = reader.version(reader.field(fields, "ccm", in: cursor, required: "the CCM version"))
        let problem = reader.string(reader.field(fields, "problem", in: cursor, required: "why the version has no row"))
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let version, let problem, let provenance else { return nil }
        return UnlistedVersion(version: version, problem: problem, provenance: provenance, location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodeRelease(_ cursor: Cursor, _ reader: YAMLReader) -> CCMRelease? {
        guard let fields = reader.mapping(cursor, allowed: ["version", "date", "runtime", "note", "provenance"]) else { return nil }
        let version = reader.version(reader.field(fields, "version", in: cursor, required: "the CCM version"))
        let dateCursor = reader.field(fields, "date", in: cursor, required: "the release date YYYY-MM-DD")
        let date = reader.string(dateCursor)
        if let date, let dateCursor, !YAMLReader.isDate(date) {
            reader.error(.invalidValue(file: cursor.file, line: dateCursor.line, field: dateCursor.field, expected: "a date YYYY-MM-DD", found: date))
        }
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let version, let date, let provenance else { return nil }
        return CCMRelease(
            version: version, date: date, runtime: reader.string(reader.field(fields, "runtime", in: cursor, required: nil)),
            note: reader.string(reader.field(fields, "note", in: cursor, required: nil)), provenance: provenance,
            location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodeDependency(_ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> DependencyRule? {
        let keys = ["package", "version", "requires", "current_table", "erratum", "provenance"]
        guard let fields = reader.mapping(cursor, allowed: keys) else { return nil }
        let packageCursor = reader.field(fields, "package", in: cursor, required: "the package id the rule is about")
        let id = reader.string(packageCursor)
        let version = reader.version(reader.field(fields, "version", in: cursor, required: "the package version the rule starts at"))
        var requires: [PackageRequirement] = []
        if let requiresCursor = reader.field(fields, "requires", in: cursor, required: "a mapping of dependency id to minimum version ({} for none)"),
           let entries = reader.mapping(requiresCursor, allowed: nil) {
            for (dependency, value) in entries where checkPackage(dependency, value, reader, known) {
                if let min = reader.version(value) { requires.append(PackageRequirement(packageID: dependency, range: .atLeast(min))) }
            }
        }
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let id, let packageCursor, checkPackage(id, packageCursor, reader, known), let version, let provenance else { return nil }
        return DependencyRule(
            packageID: id, version: version, requires: requires,
            currentTable: reader.string(reader.field(fields, "current_table", in: cursor, required: nil)),
            erratum: reader.bool(reader.field(fields, "erratum", in: cursor, required: nil)) ?? false,
            provenance: provenance, location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodeNote(_ cursor: Cursor, _ reader: YAMLReader) -> MatrixNote? {
        guard let fields = reader.mapping(cursor, allowed: ["text", "provenance"]) else { return nil }
        let text = reader.string(reader.field(fields, "text", in: cursor, required: "the note text"))
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let text, let provenance else { return nil }
        return MatrixNote(text: text, provenance: provenance, location: SourceLocation(file: cursor.file, line: cursor.line))
    }

    private func decodeBreak(_ cursor: Cursor, _ reader: YAMLReader, _ known: Set<String>) -> CommunicationBreak? {
        guard let fields = reader.mapping(cursor, allowed: ["id", "when", "requires", "effect", "provenance"]) else { return nil }
        func side(_ key: String) -> (String, NuGetVersion)? {
            guard let sideCursor = reader.field(fields, key, in: cursor, required: "{ package: id, min: \"x\" }"),
                  let entries = reader.mapping(sideCursor, allowed: ["package", "min"]) else { return nil }
            let packageCursor = reader.field(entries, "package", in: sideCursor, required: "a package id or 'ccm'")
            let min = reader.version(reader.field(entries, "min", in: sideCursor, required: "the inclusive minimum version"))
            guard let packageCursor, let id = reader.string(packageCursor), checkPackage(id, packageCursor, reader, known, allowUnit: true), let min else { return nil }
            return (id, min)
        }
        let id = reader.string(reader.field(fields, "id", in: cursor, required: "a short rule id"))
        let when = side("when"), requires = side("requires")
        let effect = reader.string(reader.field(fields, "effect", in: cursor, required: "what breaks"))
        let provenance = reader.provenance(reader.field(fields, "provenance", in: cursor, required: nil), parent: cursor)
        guard let id, let when, let requires, let effect, let provenance else { return nil }
        return CommunicationBreak(
            id: id, whenPackage: when.0, whenMin: when.1, requiresPackage: requires.0, requiresMin: requires.1,
            effect: effect, provenance: provenance, location: SourceLocation(file: cursor.file, line: cursor.line))
    }
}
