import Foundation
import Hashing

/// The Open Packaging Conventions parts every .nupkg carries.
enum OPC {
    /// A stable 32-hex-digit part id derived from `seed`, so the same input packs to the same bytes.
    static func partId(for seed: String) -> String {
        String(Digester.digest(.sha256, of: Array(seed.utf8)).hex.prefix(32))
    }

    static func relationships(manifest: String, properties: String, seed: String) -> String {
        let manifestId = "R" + partId(for: "manifest:" + seed).prefix(16).uppercased()
        let propertiesId = "R" + partId(for: "properties:" + seed).prefix(16).uppercased()
        return """
        <?xml version="1.0" encoding="utf-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/\(escape(manifest))" Id="\(manifestId)" />\
        <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" \
        Target="/\(escape(properties))" Id="\(propertiesId)" /></Relationships>
        """
    }

    static func contentTypes(partNames: [String]) -> String {
        var extensions: [String] = ["rels", "psmdcp", "nuspec"]
        var overrides: [String] = []
        for name in partNames {
            let last = name.split(separator: "/").last.map(String.init) ?? name
            if let dot = last.lastIndex(of: "."), dot != last.startIndex, last.index(after: dot) != last.endIndex {
                let ext = String(last[last.index(after: dot)...])
                if !extensions.contains(where: { $0.lowercased() == ext.lowercased() }) { extensions.append(ext) }
            } else {
                overrides.append(name)
            }
        }
        func type(_ ext: String) -> String {
            switch ext {
            case "rels": return "application/vnd.openxmlformats-package.relationships+xml"
            case "psmdcp": return "application/vnd.openxmlformats-package.core-properties+xml"
            default: return "application/octet"
            }
        }
        let defaults = extensions.map { "<Default Extension=\"\(escape($0))\" ContentType=\"\(type($0))\" />" }.joined()
        let overrideXML = overrides.map { "<Override PartName=\"/\(escape($0))\" ContentType=\"application/octet\" />" }.joined()
        return """
        <?xml version="1.0" encoding="utf-8"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\(defaults)\(overrideXML)</Types>
        """
    }

    static func coreProperties(_ nuspec: Nuspec) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
        xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">\
        <dc:creator>\(escape(nuspec.authors ?? ""))</dc:creator>\
        <dc:description>\(escape(nuspec.description ?? ""))</dc:description>\
        <dc:identifier>\(escape(nuspec.id))</dc:identifier>\
        <version>\(escape(nuspec.version.originalString))</version>\
        <keywords>\(escape(nuspec.tags.joined(separator: " ")))</keywords>\
        <lastModifiedBy>ccm-upgrade</lastModifiedBy></coreProperties>
        """
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
