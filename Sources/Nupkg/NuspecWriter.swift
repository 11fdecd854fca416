/// Serializes a ``Nuspec`` to XML.
///
/// The namespace is the lowest one the content needs, as NuGet's pack does: 2010/07 for plain metadata,
/// 2012/06 when dependency groups carry a target framework, Chocolatey's 2015/06 when Chocolatey elements
/// are present (NuGet 2.8.7 refuses that one, Chocolatey reads it).
public enum NuspecWriter {
    public static func xml(for nuspec: Nuspec) -> String {
        let namespace = nuspec.namespace ?? chooseNamespace(nuspec)
        var lines: [String] = ["<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<package xmlns=\"\(OPC.escape(namespace))\">"]
        let minClient = nuspec.minClientVersion.map { " minClientVersion=\"\(OPC.escape($0))\"" } ?? ""
        lines.append("  <metadata\(minClient)>")
        func element(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append("    <\(name)>\(OPC.escape(value))</\(name)>")
        }
        element("id", nuspec.id)
        element("version", nuspec.version.originalString)
        element("title", nuspec.title)
        element("authors", nuspec.authors)
        element("owners", nuspec.owners)
        element("projectUrl", nuspec.projectUrl)
        element("licenseUrl", nuspec.licenseUrl)
        element("iconUrl", nuspec.iconUrl)
        element("icon", nuspec.icon)
        if let license = nuspec.license {
            let version = license.version.map { " version=\"\(OPC.escape($0))\"" } ?? ""
            lines.append("    <license type=\"\(license.kind.rawValue)\"\(version)>\(OPC.escape(license.value))</license>")
        }
        element("requireLicenseAcceptance", nuspec.requireLicenseAcceptance ? "true" : "false")
        if nuspec.developmentDependency { element("developmentDependency", "true") }
        if nuspec.serviceable { element("serviceable", "true") }
        element("summary", nuspec.summary)
        element("description", nuspec.description)
        element("releaseNotes", nuspec.releaseNotes)
        element("copyright", nuspec.copyright)
        element("language", nuspec.language)
        element("tags", nuspec.tags.isEmpty ? nil : nuspec.tags.joined(separator: " "))
        if let repository = nuspec.repository {
            let attributes = [("type", repository.type), ("url", repository.url), ("branch", repository.branch), ("commit", repository.commit)]
                .compactMap { name, value in value.map { " \(name)=\"\(OPC.escape($0))\"" } }.joined()
            lines.append("    <repository\(attributes) />")
        }
        let choco = nuspec.chocolatey
        element("packageSourceUrl", choco.packageSourceUrl)
        element("projectSourceUrl", choco.projectSourceUrl)
        element("docsUrl", choco.docsUrl)
        element("wikiUrl", choco.wikiUrl)
        element("mailingListUrl", choco.mailingListUrl)
        element("bugTrackerUrl", choco.bugTrackerUrl)
        element("provides", choco.provides)
        element("conflicts", choco.conflicts)
        element("replaces", choco.replaces)
        element("softwareDisplayName", choco.softwareDisplayName)
        element("softwareDisplayVersion", choco.softwareDisplayVersion)
        if !nuspec.dependencyGroups.isEmpty {
            lines.append("    <dependencies>")
            for group in nuspec.dependencyGroups {
                if let framework = group.targetFramework {
                    lines.append("      <group targetFramework=\"\(OPC.escape(framework))\">")
                    lines += group.dependencies.map { "        " + dependency($0) }
                    lines.append("      </group>")
                } else {
                    lines += group.dependencies.map { "      " + dependency($0) }
                }
            }
            lines.append("    </dependencies>")
        }
        lines.append("  </metadata>")
        lines.append("</package>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dependency(_ dependency: PackageDependency) -> String {
        let version = dependency.range.isAll ? "" : " version=\"\(OPC.escape(dependency.range.originalString.isEmpty ? dependency.range.normalized : dependency.range.originalString))\""
        return "<dependency id=\"\(OPC.escape(dependency.id))\"\(version) />"
    }

    static func chooseNamespace(_ nuspec: Nuspec) -> String {
        let base = "http://schemas.microsoft.com/packaging/"
        if !nuspec.chocolatey.isEmpty { return base + "2015/06/nuspec.xsd" }
        if nuspec.dependencyGroups.contains(where: { $0.targetFramework != nil }) { return base + "2012/06/nuspec.xsd" }
        if nuspec.version.isPrerelease { return base + "2011/10/nuspec.xsd" }
        return base + "2010/07/nuspec.xsd"
    }
}
