import Versioning
import XMLSupport

/// Reads a `.nuspec` document. Elements are matched by local name in the root's own default namespace
/// (any of NuGet's, Chocolatey's 2015/06, or none), never a hard-coded one.
public enum NuspecReader {
    /// The largest nuspec accepted: real ones are a few KiB; 4 MiB leaves room for long release notes.
    public static let sizeLimit = 4 << 20

    /// Parses nuspec bytes; `source` names the file (or `package.nupkg!id.nuspec`) in errors.
    public static func read(_ bytes: [UInt8], source: String) throws(NupkgError) -> Nuspec {
        let root: ParsedElement
        do {
            root = try SafeXMLParser.parse(bytes, source: source, sizeLimit: sizeLimit)
        } catch {
            throw .invalidManifest(path: source, field: "xml", problem: error.reason)
        }
        return try read(root, source: source)
    }

    static func read(_ root: ParsedElement, source: String) throws(NupkgError) -> Nuspec {
        func fail(_ field: String, _ problem: String) -> NupkgError { .invalidManifest(path: source, field: field, problem: problem) }
        guard root.localName == "package" else {
            throw fail("package", "the root element is <\(root.localName)>, expected <package>")
        }
        // Old NuGet wrote `<package>` without a namespace and `<metadata xmlns=...>` inside it, so the
        // metadata element's own namespace governs its children.
        guard let metadata = root.child("metadata", namespace: root.namespaceURI) ?? root.child("metadata") else {
            throw fail("metadata", "the <metadata> element is missing")
        }
        let namespace = metadata.namespaceURI
        // One pass over the metadata children (the first element of each name counts) into a table indexed
        // by field: some 30 fields are read, and scanning the children, or hashing each name again for each
        // lookup, showed in profiles of folder scans.
        var fields = [String?](repeating: nil, count: MetadataField.allCases.count)
        for element in metadata.children where element.namespaceURI == namespace {
            if let field = MetadataField.byName[element.localName], fields[field.rawValue] == nil {
                fields[field.rawValue] = element.trimmedText
            }
        }
        func text(_ field: MetadataField) -> String? {
            guard let value = fields[field.rawValue], !value.isEmpty else { return nil }
            return value
        }
        func flag(_ field: MetadataField) throws(NupkgError) -> Bool {
            guard let value = text(field) else { return false }
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: throw fail(field.name, "'\(value)' is not a boolean; expected true or false")
            }
        }

        guard let id = text(.id) else { throw fail("id", "the package id is missing") }
        guard PackageIdentity.isValidId(id) else {
            throw fail("id", "'\(id)' is not a valid package id (letters, digits, '.', '-', '_'; up to 100 characters)")
        }
        guard let versionText = text(.version) else { throw fail("version", "the version is missing") }
        let version: NuGetVersion
        do { version = try NuGetVersion(parsing: versionText) } catch {
            throw fail("version", "invalid version '\(versionText)': \(error.reasonText)")
        }

        var nuspec = Nuspec(
            namespace: namespace, minClientVersion: metadata.attribute("minClientVersion"), id: id, version: version,
            title: text(.title), authors: text(.authors), owners: text(.owners), summary: text(.summary),
            description: text(.description), releaseNotes: text(.releaseNotes), copyright: text(.copyright),
            language: text(.language), tags: [], projectUrl: text(.projectUrl), licenseUrl: text(.licenseUrl),
            iconUrl: text(.iconUrl), icon: text(.icon), readme: text(.readme), license: nil,
            requireLicenseAcceptance: try flag(.requireLicenseAcceptance),
            developmentDependency: try flag(.developmentDependency), serviceable: try flag(.serviceable),
            repository: nil, chocolatey: ChocolateyMetadata(), dependencyGroups: [], files: [], warnings: []
        )
        nuspec.tags = (text(.tags) ?? "").split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == "\n" }).map(String.init)
        if nuspec.authors == nil { nuspec.warnings.append("the required <authors> element is missing") }
        if nuspec.description == nil { nuspec.warnings.append("the required <description> element is missing") }

        if let license = metadata.child("license", namespace: namespace) {
            let kindText = license.attribute("type") ?? ""
            guard let kind = Nuspec.License.Kind(rawValue: kindText) else {
                throw fail("license", "type '\(kindText)' is not supported; expected 'expression' or 'file'")
            }
            nuspec.license = .init(kind: kind, value: license.trimmedText, version: license.attribute("version"))
        }
        if let repository = metadata.child("repository", namespace: namespace) {
            nuspec.repository = .init(
                type: repository.attribute("type"), url: repository.attribute("url"),
                branch: repository.attribute("branch"), commit: repository.attribute("commit"))
        }
        nuspec.chocolatey = ChocolateyMetadata(
            packageSourceUrl: text(.packageSourceUrl), projectSourceUrl: text(.projectSourceUrl), docsUrl: text(.docsUrl),
            wikiUrl: text(.wikiUrl), bugTrackerUrl: text(.bugTrackerUrl), mailingListUrl: text(.mailingListUrl),
            provides: text(.provides), conflicts: text(.conflicts), replaces: text(.replaces),
            softwareDisplayName: text(.softwareDisplayName), softwareDisplayVersion: text(.softwareDisplayVersion))
        nuspec.dependencyGroups = try dependencyGroups(metadata, namespace: namespace, source: source)
        if let files = root.child("files", namespace: root.namespaceURI) ?? root.child("files") {
            nuspec.files = try files.children.filter { $0.localName == "file" }.map { file throws(NupkgError) in
                guard let src = file.attribute("src"), !src.isEmpty else {
                    throw fail("files/file", "line \(file.line): the 'src' attribute is missing")
                }
                return Nuspec.FileSpec(source: src, target: file.attribute("target"), exclude: file.attribute("exclude"))
            }
        }
        return nuspec
    }

    private static func dependencyGroups(_ metadata: ParsedElement, namespace: String?, source: String) throws(NupkgError) -> [Nuspec.DependencyGroup] {
        guard let dependencies = metadata.child("dependencies", namespace: namespace) else { return [] }
        var flat: [PackageDependency] = []
        var groups: [Nuspec.DependencyGroup] = []
        for child in dependencies.children where child.namespaceURI == namespace {
            switch child.localName {
            case "dependency":
                flat.append(try dependency(child, source: source))
            case "group":
                var members: [PackageDependency] = []
                for member in child.children where member.localName == "dependency" {
                    members.append(try dependency(member, source: source))
                }
                let framework = child.attribute("targetFramework").flatMap { $0.isEmpty ? nil : $0 }
                groups.append(.init(targetFramework: framework, dependencies: members))
            default:
                continue
            }
        }
        // Bare dependencies beside groups (seen in real nuspecs) form their own framework-less group.
        if !flat.isEmpty { groups.insert(.init(targetFramework: nil, dependencies: flat), at: 0) }
        return groups
    }

    private static func dependency(_ element: ParsedElement, source: String) throws(NupkgError) -> PackageDependency {
        guard let id = element.attribute("id"), !id.isEmpty else {
            throw .invalidManifest(path: source, field: "dependency", problem: "line \(element.line): a <dependency> has no 'id' attribute")
        }
        let rangeText = element.attribute("version") ?? ""
        let range: VersionRange
        // A missing or empty version means any version: NuGet's rule for dependencies, not range syntax.
        if rangeText.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
            return PackageDependency(id: id, range: .all, include: element.attribute("include"), exclude: element.attribute("exclude"))
        }
        do { range = try VersionRange(parsing: rangeText) } catch {
            throw .invalidManifest(path: source, field: "dependency",
                                   problem: "invalid version '\(rangeText)' in dependency '\(id)': \(error.reasonText)")
        }
        return PackageDependency(id: id, range: range, include: element.attribute("include"), exclude: element.attribute("exclude"))
    }
}

/// The metadata elements read as text; the raw value is the position in the reader's field table.
private enum MetadataField: Int, CaseIterable {
    case id, version, title, authors, owners, summary, description, releaseNotes, copyright, language, tags
    case projectUrl, licenseUrl, iconUrl, icon, readme, requireLicenseAcceptance, developmentDependency, serviceable
    case packageSourceUrl, projectSourceUrl, docsUrl, wikiUrl, bugTrackerUrl, mailingListUrl, provides, conflicts
    case replaces, softwareDisplayName, softwareDisplayVersion

    /// The element name. Spelled out (the switch keeps it complete): `String(describing:)` on the cases
    /// went through reflection that cost more than reading a package.
    var name: String {
        switch self {
        case .id: "id"
        case .version: "version"
        case .title: "title"
        case .authors: "authors"
        case .owners: "owners"
        case .summary: "summary"
        case .description: "description"
        case .releaseNotes: "releaseNotes"
        case .copyright: "copyright"
        case .language: "language"
        case .tags: "tags"
        case .projectUrl: "projectUrl"
        case .licenseUrl: "licenseUrl"
        case .iconUrl: "iconUrl"
        case .icon: "icon"
        case .readme: "readme"
        case .requireLicenseAcceptance: "requireLicenseAcceptance"
        case .developmentDependency: "developmentDependency"
        case .serviceable: "serviceable"
        case .packageSourceUrl: "packageSourceUrl"
        case .projectSourceUrl: "projectSourceUrl"
        case .docsUrl: "docsUrl"
        case .wikiUrl: "wikiUrl"
        case .bugTrackerUrl: "bugTrackerUrl"
        case .mailingListUrl: "mailingListUrl"
        case .provides: "provides"
        case .conflicts: "conflicts"
        case .replaces: "replaces"
        case .softwareDisplayName: "softwareDisplayName"
        case .softwareDisplayVersion: "softwareDisplayVersion"
        }
    }

    static let byName: [String: MetadataField] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}

