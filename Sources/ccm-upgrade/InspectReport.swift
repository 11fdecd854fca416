import Nupkg

struct InspectFailure {
    let path: String
    let error: String
}

/// One package as `inspect` reports it.
struct InspectReport {
    struct Dependency {
        let id: String
        let range: String
        let targetFramework: String?
    }

    struct File {
        let name: String
        let size: Int64?
    }

    let path: String
    let id: String
    let version: String
    let versionAsWritten: String
    let size: Int64
    let sha512: String?
    let sha512Hex: String?
    let signed: Bool
    let title: String?
    let authors: String?
    let summary: String?
    let description: String?
    let tags: [String]
    let projectUrl: String?
    let license: String?
    let dependencies: [Dependency]
    let chocolatey: ChocolateyMetadata
    let warnings: [String]
    let files: [File]?

    init(_ info: PackageInfo, includeFiles: Bool) {
        let nuspec = info.nuspec
        path = info.path
        id = nuspec.id
        version = nuspec.version.normalized
        versionAsWritten = nuspec.version.originalString
        size = info.size
        sha512 = info.sha512?.base64
        sha512Hex = info.sha512?.hex
        signed = info.isSigned
        title = nuspec.title
        authors = nuspec.authors
        summary = nuspec.summary
        description = nuspec.description
        tags = nuspec.tags
        projectUrl = nuspec.projectUrl
        license = nuspec.license.map { "\($0.kind.rawValue): \($0.value)" } ?? nuspec.licenseUrl
        dependencies = nuspec.dependencyGroups.flatMap { group in
            group.dependencies.map { Dependency(id: $0.id, range: $0.range.normalized, targetFramework: group.targetFramework) }
        }
        chocolatey = nuspec.chocolatey
        warnings = nuspec.warnings
        files = includeFiles ? info.files.map { File(name: $0.name, size: $0.size) } : nil
    }

    /// The report as one JSON object, keys sorted (what `--format json` prints per package).
    var json: String {
        let chocolateyFields: [(String, JSONText.Value)] = [
            ("bugTrackerUrl", .string(chocolatey.bugTrackerUrl)), ("conflicts", .string(chocolatey.conflicts)),
            ("docsUrl", .string(chocolatey.docsUrl)), ("mailingListUrl", .string(chocolatey.mailingListUrl)),
            ("packageSourceUrl", .string(chocolatey.packageSourceUrl)), ("projectSourceUrl", .string(chocolatey.projectSourceUrl)),
            ("provides", .string(chocolatey.provides)), ("replaces", .string(chocolatey.replaces)),
            ("softwareDisplayName", .string(chocolatey.softwareDisplayName)), ("softwareDisplayVersion", .string(chocolatey.softwareDisplayVersion)),
            ("wikiUrl", .string(chocolatey.wikiUrl)),
        ]
        let dependencyJSON = JSONText.array(dependencies.map {
            JSONText.object([("id", .string($0.id)), ("range", .string($0.range)), ("targetFramework", .string($0.targetFramework))])
        })
        var fields: [(String, JSONText.Value)] = [
            ("authors", .string(authors)), ("chocolatey", .raw(JSONText.object(chocolateyFields))), ("dependencies", .raw(dependencyJSON)),
            ("description", .string(description)),
        ]
        if let files {
            fields.append(("files", .raw(JSONText.array(files.map { JSONText.object([("name", .string($0.name)), ("size", .number($0.size))]) }))))
        }
        fields += [
            ("id", .string(id)), ("license", .string(license)), ("path", .string(path)), ("projectUrl", .string(projectUrl)),
            ("sha512", .string(sha512)), ("sha512Hex", .string(sha512Hex)), ("signed", .bool(signed)), ("size", .number(size)),
            ("summary", .string(summary)), ("tags", .strings(tags)), ("title", .string(title)), ("version", .string(version)),
            ("versionAsWritten", .string(versionAsWritten)), ("warnings", .strings(warnings)),
        ]
        return JSONText.object(fields)
    }

    var text: String {
        var lines = ["\(id) \(version)" + (versionAsWritten != version ? " (written \(versionAsWritten))" : "")]
        func field(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            let firstLine = value.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? value
            // Plain padding: Foundation's padding(toLength:) showed up in profiles of large folders.
            let label = name + ":"
            lines.append("  " + label + String(repeating: " ", count: max(1, 18 - label.count)) + firstLine)
        }
        field("path", path)
        field("size", "\(size) bytes")
        field("sha512", sha512)
        field("sha512 (hex)", sha512Hex)
        if signed { field("signed", "yes (.signature.p7s)") }
        field("title", title)
        field("authors", authors)
        field("summary", summary)
        field("tags", tags.joined(separator: " "))
        field("project url", projectUrl)
        field("license", license)
        field("packageSourceUrl", chocolatey.packageSourceUrl)
        field("projectSourceUrl", chocolatey.projectSourceUrl)
        field("docsUrl", chocolatey.docsUrl)
        field("wikiUrl", chocolatey.wikiUrl)
        field("bugTrackerUrl", chocolatey.bugTrackerUrl)
        field("mailingListUrl", chocolatey.mailingListUrl)
        field("provides", chocolatey.provides)
        field("conflicts", chocolatey.conflicts)
        field("replaces", chocolatey.replaces)
        if dependencies.isEmpty {
            lines.append("  dependencies:     none")
        } else {
            lines.append("  dependencies:")
            for dependency in dependencies {
                let framework = dependency.targetFramework.map { "  [\($0)]" } ?? ""
                lines.append("    \(dependency.id) \(dependency.range)\(framework)")
            }
        }
        for warning in warnings { lines.append("  warning:          \(warning)") }
        if let files {
            lines.append("  files (\(files.count)):")
            for file in files { lines.append("    \(file.name)" + (file.size.map { "  (\($0) bytes)" } ?? "")) }
        }
        return lines.joined(separator: "\n")
    }
}
