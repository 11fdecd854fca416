import Foundation
import Versioning

/// A v3 service index: `{"version": "3.x", "resources": [{"@id", "@type"}]}`.
public struct V3ServiceIndex: Sendable, Hashable {
    public struct Resource: Sendable, Hashable {
        public var id: String
        public var type: String
    }

    public var version: String
    public var resources: [Resource]

    /// The `@type` spellings accepted for each resource, preferred first (NuGet.Client `ServiceTypes`).
    public static let packageBaseAddress = ["PackageBaseAddress/3.0.0", "PackageBaseAddress/Versioned", "PackageBaseAddress"]
    public static let packagePublish = ["PackagePublish/2.0.0", "PackagePublish/Versioned", "PackagePublish"]
    public static let registrations = ["RegistrationsBaseUrl/3.6.0", "RegistrationsBaseUrl/Versioned", "RegistrationsBaseUrl/3.4.0",
                                       "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl"]
    public static let search = ["SearchQueryService/3.5.0", "SearchQueryService/3.4.0", "SearchQueryService/Versioned",
                                "SearchQueryService/3.0.0-rc", "SearchQueryService/3.0.0-beta", "SearchQueryService"]

    /// The first resource whose `@type` is one of `types`, in the order of `types`.
    public func url(for types: [String]) -> String? {
        for type in types {
            if let resource = resources.first(where: { $0.type == type }) { return resource.id }
        }
        return nil
    }

    public static func parse(_ bytes: [UInt8], url: String) throws(FeedError) -> V3ServiceIndex {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalidResponse(url: url, field: "service index", expected: "a JSON object")
        }
        guard let version = object["version"] as? String, version.hasPrefix("3.") else {
            throw .invalidResponse(url: url, field: "version", expected: "a 3.x service index version")
        }
        guard let list = object["resources"] as? [[String: Any]] else {
            throw .invalidResponse(url: url, field: "resources", expected: "an array of {@id, @type}")
        }
        var resources: [Resource] = []
        for item in list {
            guard let id = item["@id"] as? String else { continue }
            // `@type` may be a string or an array of strings.
            if let type = item["@type"] as? String { resources.append(Resource(id: id, type: type)) }
            if let types = item["@type"] as? [String] { resources += types.map { Resource(id: id, type: $0) } }
        }
        return V3ServiceIndex(version: version, resources: resources)
    }
}

/// Readers for v3 flat-container and registration JSON.
public enum V3Parsers {
    /// `{id}/index.json` of the flat container: `{"versions": [...]}`.
    public static func flatContainerVersions(_ bytes: [UInt8], url: String) throws(FeedError) -> [NuGetVersion] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let list = object["versions"] as? [String] else {
            throw .invalidResponse(url: url, field: "versions", expected: "{\"versions\": [strings]}")
        }
        return list.compactMap { NuGetVersion($0) }
    }

    /// A registration index or page: the leaves it holds inline, and the `@id`s of pages that must be
    /// fetched because their `items` are missing.
    public struct RegistrationPage: Sendable {
        public var packages: [RemotePackage]
        public var pagesToFetch: [String]
    }

    public static func registration(_ bytes: [UInt8], url: String) throws(FeedError) -> RegistrationPage {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalidResponse(url: url, field: "registration", expected: "a JSON object")
        }
        var result = RegistrationPage(packages: [], pagesToFetch: [])
        guard let items = object["items"] as? [[String: Any]] else { return result }
        for item in items {
            if item["catalogEntry"] != nil {
                // A page document: its items are leaves.
                if let package = leaf(item) { result.packages.append(package) }
            } else if let leaves = item["items"] as? [[String: Any]] {
                result.packages += leaves.compactMap(leaf)
            } else if let page = item["@id"] as? String {
                result.pagesToFetch.append(page)
            }
        }
        return result
    }

    static func leaf(_ item: [String: Any]) -> RemotePackage? {
        guard let entry = item["catalogEntry"] as? [String: Any], let id = entry["id"] as? String,
              let versionText = entry["version"] as? String, let version = NuGetVersion(versionText) else { return nil }
        var package = RemotePackage(id: id, version: version)
        package.downloadURL = (item["packageContent"] as? String) ?? (entry["packageContent"] as? String)
        package.isListed = (entry["listed"] as? Bool) ?? true
        package.packageHash = entry["packageHash"] as? String
        package.packageHashAlgorithm = entry["packageHashAlgorithm"] as? String
        package.packageSize = (entry["packageSize"] as? NSNumber)?.int64Value
        for group in entry["dependencyGroups"] as? [[String: Any]] ?? [] {
            let framework = (group["targetFramework"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            for dependency in group["dependencies"] as? [[String: Any]] ?? [] {
                guard let depId = dependency["id"] as? String, !depId.isEmpty else { continue }
                let rangeText = (dependency["range"] as? String) ?? ""
                let range = rangeText.isEmpty ? VersionRange.all : ((try? VersionRange(parsing: rangeText)) ?? .all)
                package.dependencies.append(FeedDependency(id: depId, range: range, targetFramework: framework))
            }
        }
        return package
    }
}
