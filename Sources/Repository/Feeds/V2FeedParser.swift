import Foundation
import Versioning
import XMLSupport

/// One parsed page of a v2 OData answer: its entries and the `next` link, if any.
public struct V2FeedPage: Sendable {
    public var packages: [RemotePackage]
    /// The absolute URL of the next page.
    public var next: String?
    /// Entries that could not be used (no id, unparsable version), with the reason.
    public var skipped: [String]
}

/// Reads NuGet v2 OData Atom documents (`<feed>` or a bare `<entry>`) as NuGet.Client's `V2FeedParser` does.
public enum V2FeedParser {
    static let atom = "http://www.w3.org/2005/Atom"
    static let dataServices = "http://schemas.microsoft.com/ado/2007/08/dataservices"
    static let metadata = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"

    /// Parses `bytes` fetched from `url`. `queriedId` is the id asked for, used when an entry carries
    /// neither `d:Id` nor a title.
    public static func parse(_ bytes: [UInt8], url: String, queriedId: String? = nil) throws(FeedError) -> V2FeedPage {
        // Some servers answer an exact lookup that matched nothing with an empty 200.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return V2FeedPage(packages: [], next: nil, skipped: [])
        }
        let root: ParsedElement
        do {
            root = try SafeXMLParser.parse(bytes, source: url)
        } catch {
            throw .invalidResponse(url: url, field: "Atom document", expected: "well-formed XML (\(error))")
        }
        var entries: [ParsedElement]
        var next: String?
        switch root.localName {
        case "feed":
            entries = root.children.filter { $0.localName == "entry" }
            if let link = root.children.first(where: { $0.localName == "link" && $0.attribute("rel") == "next" }),
               let href = link.attribute("href"), !href.isEmpty {
                next = resolve(href, against: url)
            }
        case "entry":
            entries = [root]
        case "error":
            let message = root.children.first { $0.localName == "message" }?.trimmedText ?? ""
            throw .invalidResponse(url: url, field: "feed", expected: "an Atom feed, got an OData error: \(message)")
        default:
            throw .invalidResponse(url: url, field: "root element", expected: "<feed> or <entry>, got <\(root.localName)>")
        }
        var packages: [RemotePackage] = []
        var skipped: [String] = []
        for entry in entries {
            switch parseEntry(entry, url: url, queriedId: queriedId) {
            case let .success(package): packages.append(package)
            case let .failure(reason): skipped.append(reason.text)
            }
        }
        return V2FeedPage(packages: packages, next: next, skipped: skipped)
    }

    struct SkipReason: Error { let text: String }

    static func parseEntry(_ entry: ParsedElement, url: String, queriedId: String?) -> Result<RemotePackage, SkipReason> {
        // m:properties is a child of the entry (some servers nest it in <content>).
        let properties = entry.children.first { $0.localName == "properties" }
            ?? entry.children.first { $0.localName == "content" }?.children.first { $0.localName == "properties" }
        func field(_ name: String) -> String? {
            guard let element = properties?.children.first(where: { $0.localName == name }) else { return nil }
            if element.attribute("null", namespace: metadata) == "true" || element.attribute(anyNamespace: "null") == "true" {
                return nil
            }
            return element.trimmedText
        }
        let title = entry.children.first { $0.localName == "title" }?.trimmedText
        let id = [field("Id"), title, queriedId].compactMap { $0 }.first { !$0.isEmpty }
        guard let id else { return .failure(SkipReason(text: "entry at line \(entry.line): no d:Id, title or queried id")) }
        guard let versionText = field("Version") ?? field("NormalizedVersion"), !versionText.isEmpty else {
            return .failure(SkipReason(text: "\(id) at line \(entry.line): no d:Version"))
        }
        guard let version = NuGetVersion(versionText) else {
            return .failure(SkipReason(text: "\(id): d:Version '\(versionText)' is not a NuGet version"))
        }
        let content = entry.children.first { $0.localName == "content" }?.attribute("src")
        var listed = true
        if let published = field("Published"), let year = Int(published.prefix(4)), year <= 1901 { listed = false }
        if let listedField = field("Listed")?.lowercased(), listedField == "false" { listed = false }
        var package = RemotePackage(id: id, version: version)
        package.downloadURL = content.map { resolve($0, against: url) }
        package.packageHash = field("PackageHash").flatMap { $0.isEmpty ? nil : $0 }
        package.packageHashAlgorithm = field("PackageHashAlgorithm").flatMap { $0.isEmpty ? nil : $0 }
        package.packageSize = field("PackageSize").flatMap { Int64($0) }
        package.dependencies = parseDependencies(field("Dependencies") ?? "")
        package.isListed = listed
        return .success(package)
    }

    /// Parses `d:Dependencies`: `id:range:tfm` joined by `|`; range empty or `null` = any; tfm empty or `null`
    /// = any; an entry with an empty id only declares a framework and is dropped.
    public static func parseDependencies(_ text: String) -> [FeedDependency] {
        var result: [FeedDependency] = []
        for item in text.split(separator: "|", omittingEmptySubsequences: true) {
            let parts = item.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let id = parts.first, !id.isEmpty else { continue }
            var range = VersionRange.all
            if parts.count > 1, !parts[1].isEmpty, parts[1].lowercased() != "null" {
                range = (try? VersionRange(parsing: parts[1])) ?? .all
            }
            var framework: String?
            if parts.count > 2, !parts[2].isEmpty, parts[2].lowercased() != "null" { framework = parts[2] }
            result.append(FeedDependency(id: id, range: range, targetFramework: framework))
        }
        return result
    }

    /// Resolves `href` (absolute, or relative to the document URL) to an absolute URL.
    static func resolve(_ href: String, against base: String) -> String {
        if href.lowercased().hasPrefix("http://") || href.lowercased().hasPrefix("https://") { return href }
        let encoded = href.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.union(["%"])) ?? href
        if let baseURL = URL(string: base), let resolved = URL(string: encoded, relativeTo: baseURL) {
            return resolved.absoluteString
        }
        return href
    }
}
