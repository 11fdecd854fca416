import Diagnostics
import FileSupport
import Foundation
import XMLSupport

/// Reads and validates a `chocolatey.license.xml` through the project's secure XML reader (no DTD, no
/// entities, no network).
///
/// The shape, from Chocolatey's licensing code (Rhino.Licensing, which chocolatey/choco uses) and the Quick
/// Start's `Create-ChocoLicensePkg.ps1`: a root `<license>` element with the attributes `id` (a GUID, the
/// secret), `expiration` (`yyyy-MM-ddTHH:mm:ss.fffffff`, UTC) and `type`; a `<name>` child (`Org [25 Nodes]`);
/// and an XML-DSig `<Signature>` child. The signature cannot be verified here (Chocolatey's public key is not
/// published); its presence is checked so that an edited or cut-short file is refused before it is rolled out.
public enum LicenseReader {
    /// Far above a real licence (about 2 KB); a larger file is not one.
    public static let sizeLimit = 256 << 10
    /// The XML-DSig namespace of the `<Signature>` element.
    public static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"

    /// Reads the file at `path`. The licence id is registered with `Redaction` before anything can fail, so
    /// no message printed afterwards can show it.
    public static func read(path: String) throws(LicenseError) -> ChocolateyLicense {
        let bytes: [UInt8]
        do {
            let descriptor = try FileIO.openForReading(path)
            defer { close(descriptor) }
            var collected: [UInt8] = []
            let reader = ChunkedReader(descriptor: descriptor, path: path, chunkSize: 64 << 10, limit: Int64(sizeLimit) + 1)
            while let chunk = try reader.next() { collected.append(contentsOf: chunk) }
            bytes = collected
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        return try parse(bytes, file: path)
    }

    /// Validates `bytes` (named `file` in messages). `registeringSecrets` is for fuzzing only: every real
    /// caller registers the id before anything can be printed.
    public static func parse(_ bytes: [UInt8], file: String, registeringSecrets: Bool = true) throws(LicenseError) -> ChocolateyLicense {
        if registeringSecrets { registerIDs(in: bytes) }
        guard bytes.count <= sizeLimit else {
            throw .malformed(file: file, reason: "\(bytes.count) bytes is far larger than a licence file (at most \(sizeLimit))")
        }
        let root: ParsedElement
        do { root = try SafeXMLParser.parse(bytes, source: file, sizeLimit: sizeLimit) } catch {
            throw .malformed(file: file, reason: error.reason)
        }
        guard root.localName == "license", root.namespaceURI == nil else {
            throw .invalidField(file: file, field: "license", problem: "the root element is <\(root.localName)>; a Chocolatey licence's root element is <license>")
        }
        guard let id = root.attribute("id")?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty else {
            throw .invalidField(file: file, field: "id", problem: "missing; a Chocolatey licence has a GUID id attribute on <license>")
        }
        // The value is never shown, not even when it is wrong.
        guard UUID(uuidString: id) != nil else {
            throw .invalidField(file: file, field: "id", problem: "not a GUID (value not shown: it is the licence's secret)")
        }
        guard let typeText = root.attribute("type")?.trimmingCharacters(in: .whitespacesAndNewlines), !typeText.isEmpty else {
            throw .invalidField(file: file, field: "type", problem: "missing; expected one of \(typeNames)")
        }
        guard let type = ChocolateyLicense.LicenseType.allCases.first(where: { $0.rawValue.lowercased() == typeText.lowercased() }) else {
            throw .invalidField(file: file, field: "type", problem: "'\(Redaction.redactKnown(typeText))' is not a Chocolatey licence type; expected one of \(typeNames)")
        }
        guard let expirationText = root.attribute("expiration")?.trimmingCharacters(in: .whitespacesAndNewlines), !expirationText.isEmpty else {
            throw .invalidField(file: file, field: "expiration", problem: "missing; expected a date such as 2027-01-31T00:00:00.0000000")
        }
        guard let expiration = parseExpiration(expirationText) else {
            throw .invalidField(file: file, field: "expiration", problem: "'\(Redaction.redactKnown(expirationText))' is not a date; expected yyyy-MM-ddTHH:mm:ss.fffffff (UTC), e.g. 2027-01-31T00:00:00.0000000")
        }
        guard let name = root.child("name") else {
            throw .invalidField(file: file, field: "name", problem: "missing; a Chocolatey licence names its holder and node count, e.g. <name>Example Corp [25 Nodes]</name>")
        }
        guard root.child("Signature", namespace: signatureNamespace) != nil else {
            throw .invalidField(file: file, field: "Signature", problem: "missing; Chocolatey refuses a licence without its XML signature (was the file edited or cut short?): use the file exactly as Chocolatey sent it")
        }
        return ChocolateyLicense(type: type, expiration: expiration, nodeCount: nodeCount(in: name.deepText), bytes: bytes, file: file)
    }

    private static var typeNames: String { ChocolateyLicense.LicenseType.allCases.map(\.rawValue).joined(separator: ", ") }

    /// `yyyy-MM-dd`, optionally `THH:mm`, `:ss`, `.f` to `.fffffff`, and a trailing `Z`; always UTC (the Quick
    /// Start script appends `+0` before parsing, Rhino.Licensing reads it as UTC too).
    static func parseExpiration(_ text: String) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?Z?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        func number(_ group: Int) -> Int? {
            guard let range = Range(match.range(at: group), in: text) else { return nil }
            return Int(text[range])
        }
        var parts = DateComponents()
        (parts.year, parts.month, parts.day) = (number(1), number(2), number(3))
        (parts.hour, parts.minute, parts.second) = (number(4) ?? 0, number(5) ?? 0, number(6) ?? 0)
        guard let month = parts.month, (1...12).contains(month), let day = parts.day, (1...31).contains(day),
              (0...23).contains(parts.hour!), (0...59).contains(parts.minute!), (0...59).contains(parts.second!),
              let date = ChocolateyLicense.utcCalendar.date(from: parts),
              ChocolateyLicense.utcCalendar.component(.day, from: date) == day else { return nil }
        return date
    }

    /// The number in the last `[...]` of the name (`Example Corp [25 Nodes]` → 25), as the Quick Start
    /// script takes it for the package version.
    static func nodeCount(in name: String) -> Int? {
        guard let open = name.lastIndex(of: "["), let close = name[open...].firstIndex(of: "]") else { return nil }
        let inside = name[name.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
        let digits = inside.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    /// Registers every `id="…"` value in the raw text with `Redaction` before parsing, so that even a licence
    /// that turns out malformed (and any message quoting it) cannot print its id.
    static func registerIDs(in bytes: [UInt8]) {
        // Through TextFile so that a UTF-16 file (BOM) is scanned as text too.
        let head = Array(bytes.prefix(sizeLimit))
        let text = (try? TextFile.decode(head, path: "licence")) ?? String(decoding: head, as: UTF8.self)
        guard let regex = try? NSRegularExpression(pattern: #"\bid\s*=\s*(?:"([^"]*)"|'([^']*)')"#) else { return }
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            for group in 1...2 {
                if let range = Range(match.range(at: group), in: text) { Redaction.register(String(text[range])) }
            }
        }
    }
}
