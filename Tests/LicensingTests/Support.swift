import Foundation

/// Licence files built in the tests: the shape of a Chocolatey licence (root `<license id expiration type>`,
/// `<name>`, an XML-DSig `<Signature>`), never a real licence: the id is made up and the signature is filler.
enum LicenseFixture {
    /// A made-up id that must never appear in any output.
    static let secretID = "3f1c2b9a-7d4e-4c1a-9b2f-5e6d7c8b9a01"

    static func date(daysFromNow days: Int, now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSSSSS"
        return formatter.string(from: now.addingTimeInterval(Double(days) * 86_400))
    }

    static func xml(
        id: String? = secretID, type: String? = "Business", expiration: String? = "2027-01-31T00:00:00.0000000",
        name: String? = "Example Corp [25 Nodes]", signature: Bool = true, root: String = "license", lineEnd: String = "\n"
    ) -> String {
        var attributes = ""
        if let id { attributes += " id=\"\(id)\"" }
        if let expiration { attributes += " expiration=\"\(expiration)\"" }
        if let type { attributes += " type=\"\(type)\"" }
        var lines = ["<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<\(root)\(attributes)>"]
        if let name { lines.append("  <name>\(name)</name>") }
        if signature {
            lines += [
                "  <Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">",
                "    <SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\" /></SignedInfo>",
                "    <SignatureValue>dGVzdCBmaWxsZXIsIG5vdCBhIHNpZ25hdHVyZQ==</SignatureValue>",
                "  </Signature>",
            ]
        }
        lines.append("</\(root)>")
        return lines.joined(separator: lineEnd) + lineEnd
    }

    static func bytes(_ xml: String, bom: Bool = false) -> [UInt8] { (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(xml.utf8) }

    /// A temporary folder, removed by `cleanup`.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "ccm-license-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], in folder: String, name: String = "chocolatey.license.xml") throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
