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
    var json: [UInt8] {
        var json = JSONText()
        json.beginObject()
        json.field("authors", authors)
        json.beginObject("chocolatey")
        json.field("bugTrackerUrl", chocolatey.bugTrackerUrl)
        json.field("conflicts", chocolatey.conflicts)
        json.field("docsUrl", chocolatey.docsUrl)
        json.field("mailingListUrl", chocolatey.mailingListUrl)
        json.field("packageSourceUrl", chocolatey.packageSourceUrl)
        json.field("projectSourceUrl", chocolatey.projectSourceUrl)
        json.field("provides", chocolatey.provides)
        json.field("replaces", chocolatey.replaces)
        json.field("softwareDisplayName", chocolatey.softwareDisplayName)
        json.field("softwareDisplayVersion", chocolatey.softwareDisplayVersion)
        json.field("wikiUrl", chocolatey.wikiUrl)
        json.endObject()
        json.beginArray("dependencies")
        for dependency in dependencies {
            json.beginObject()
            json.field("id", dependency.id)
            json.field("range", dependency.range)
            json.field("targetFramework", dependency.targetFramework)
            json.endObject()
        }
        json.endArray()
        json.field("description", description)
        if let files {
            json.beginArray("files")
            for file in files {
                json.beginObject()
                json.field("name", file.name)
                json.field("size", file.size)
                json.endObject()
            }
            json.endArray()
        }
        json.field("id", id)
        json.field("license", license)
        json.field("path", path)
        json.field("projectUrl", projectUrl)
        json.field("sha512", sha512)
        json.field("sha512Hex", sha512Hex)
        json.field("signed", signed)
        json.field("size", size)
        json.field("summary", summary)
        json.field("tags", tags)
        json.field("title", title)
        json.field("version", version)
        json.field("versionAsWritten", versionAsWritten)
        json.field("warnings", warnings)
        json.endObject()
        return json.bytes
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
