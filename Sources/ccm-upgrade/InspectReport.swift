import Nupkg

struct InspectFailure {
    let path: String
    let error: String
}

/// One package as `inspect` reports it (read straight from the package's model when rendered: copying it
/// into a report struct first cost as much as writing the JSON, on folders of small packages).
struct InspectReport {
    struct Dependency {
        let id: String
        let range: String
        let targetFramework: String?
    }

    let info: PackageInfo
    let includeFiles: Bool

    init(_ info: PackageInfo, includeFiles: Bool) {
        self.info = info
        self.includeFiles = includeFiles
    }

    private var nuspec: Nuspec { info.nuspec }
    private var chocolatey: ChocolateyMetadata { info.nuspec.chocolatey }
    private var version: String { nuspec.version.normalized }
    private var license: String? { nuspec.license.map { $0.kind.rawValue + ": " + $0.value } ?? nuspec.licenseUrl }

    private var dependencies: [Dependency] {
        nuspec.dependencyGroups.flatMap { group in
            group.dependencies.map { Dependency(id: $0.id, range: $0.range.normalized, targetFramework: group.targetFramework) }
        }
    }

    /// The report as one JSON object, keys sorted (what `--format json` prints per package).
    var json: [UInt8] {
        let nuspec = nuspec, chocolatey = chocolatey
        var json = JSONText(capacity: 2048, depth: 2)
        json.beginObject()
        json.field("authors", nuspec.authors)
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
        for group in nuspec.dependencyGroups {
            for dependency in group.dependencies {
                json.beginObject()
                json.field("id", dependency.id)
                json.field("range", dependency.range.normalized)
                json.field("targetFramework", group.targetFramework)
                json.endObject()
            }
        }
        json.endArray()
        json.field("description", nuspec.description)
        if includeFiles {
            json.beginArray("files")
            for file in info.files {
                json.beginObject()
                json.field("name", file.name)
                json.field("size", file.size)
                json.endObject()
            }
            json.endArray()
        }
        json.field("id", nuspec.id)
        json.field("license", license)
        json.field("path", info.path)
        json.field("projectUrl", nuspec.projectUrl)
        json.field("sha512", info.sha512?.base64)
        json.field("sha512Hex", info.sha512?.hex)
        json.field("signed", info.isSigned)
        json.field("size", info.size)
        json.field("summary", nuspec.summary)
        json.field("tags", nuspec.tags)
        json.field("title", nuspec.title)
        json.field("version", version)
        json.field("versionAsWritten", nuspec.version.originalString)
        json.field("warnings", nuspec.warnings)
        json.endObject()
        return json.bytes
    }

    var text: String {
        let nuspec = nuspec, chocolatey = chocolatey, version = version
        let versionAsWritten = nuspec.version.originalString
        var lines = ["\(nuspec.id) \(version)" + (versionAsWritten != version ? " (written \(versionAsWritten))" : "")]
        func field(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            let firstLine = value.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? value
            // Plain padding: Foundation's padding(toLength:) showed up in profiles of large folders.
            let label = name + ":"
            lines.append("  " + label + String(repeating: " ", count: max(1, 18 - label.count)) + firstLine)
        }
        field("path", info.path)
        field("size", "\(info.size) bytes")
        field("sha512", info.sha512?.base64)
        field("sha512 (hex)", info.sha512?.hex)
        if info.isSigned { field("signed", "yes (.signature.p7s)") }
        field("title", nuspec.title)
        field("authors", nuspec.authors)
        field("summary", nuspec.summary)
        field("tags", nuspec.tags.joined(separator: " "))
        field("project url", nuspec.projectUrl)
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
        for warning in nuspec.warnings { lines.append("  warning:          \(warning)") }
        if includeFiles {
            let files = info.files
            lines.append("  files (\(files.count)):")
            for file in files { lines.append("    \(file.name)" + (file.size.map { "  (\($0) bytes)" } ?? "")) }
        }
        return lines.joined(separator: "\n")
    }
}
