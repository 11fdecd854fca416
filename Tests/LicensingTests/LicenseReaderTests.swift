import Diagnostics
import Foundation
@testable import Licensing
import Testing

@Suite("licence file")
struct LicenseReaderTests {
    @Test("a valid licence: type, expiry (UTC), node count; BOM and CRLF are normal input")
    func valid() throws {
        for (bom, lineEnd) in [(false, "\n"), (true, "\r\n"), (true, "\n"), (false, "\r\n")] {
            let bytes = LicenseFixture.bytes(LicenseFixture.xml(lineEnd: lineEnd), bom: bom)
            let license = try LicenseReader.parse(bytes, file: "chocolatey.license.xml")
            #expect(license.type == .business)
            #expect(license.expirationDay == "2027-01-31")
            #expect(license.nodeCount == 25)
            #expect(license.bytes == bytes, "the file is kept byte for byte (it is signed)")
        }
    }

    @Test("UTF-16 with a BOM (Windows PowerShell's Out-File) reads too, and its id is registered")
    func utf16() throws {
        let id = "5b4a3928-1706-4f5e-8d7c-6b5a49382716"
        let xml = LicenseFixture.xml(id: id).replacingOccurrences(of: "utf-8", with: "utf-16")
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in xml.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let license = try LicenseReader.parse(bytes, file: "l.xml")
        #expect(license.type == .business && license.nodeCount == 25)
        #expect(!Redaction.redactKnown(id).contains(id))
    }

    @Test("attacks: oversize, deep nesting, invalid UTF-8, NUL bytes, entity tricks are refused without crashing")
    func attacks() {
        let huge = LicenseFixture.xml(name: String(repeating: "A", count: LicenseReader.sizeLimit))
        let deep = "<license>" + String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000) + "</license>"
        let inputs: [[UInt8]] = [
            Array(huge.utf8), Array(deep.utf8), [0x3C, 0x6C, 0xFF, 0xFE, 0x00, 0x3E], Array(repeating: 0, count: 64),
            Array("<license id=\"&#x33;f1c\" expiration=\"2027-01-31\" type=\"Business\"><name>x</name></license>".utf8),
            Array("<?xml version=\"1.0\"?><!DOCTYPE l SYSTEM \"http://127.0.0.1:9/x.dtd\"><license/>".utf8),
        ]
        for input in inputs {
            #expect(throws: LicenseError.self) { _ = try LicenseReader.parse(input, file: "attack.xml") }
        }
    }

    @Test("every Chocolatey licence type is accepted, case-insensitively", arguments: ChocolateyLicense.LicenseType.allCases)
    func types(type: ChocolateyLicense.LicenseType) throws {
        let license = try LicenseReader.parse(LicenseFixture.bytes(LicenseFixture.xml(type: type.rawValue.uppercased())), file: "l.xml")
        #expect(license.type == type)
    }

    @Test("expiration formats: Rhino's 7-digit fraction, none, a bare date, Z")
    func expirationFormats() {
        for text in ["2027-01-31T00:00:00.0000000", "2027-01-31T00:00:00", "2027-01-31", "2027-01-31T00:00:00Z", "2027-01-31T12:30"] {
            #expect(LicenseReader.parseExpiration(text).map(ChocolateyLicense.day) == "2027-01-31", "\(text)")
        }
        for text in ["2027-02-30", "31/01/2027", "2027-13-01", "", "2027-01-31T25:00:00", "tomorrow"] {
            #expect(LicenseReader.parseExpiration(text) == nil, "\(text)")
        }
    }

    @Test("node count from the name, as the Quick Start reads it")
    func nodes() {
        #expect(LicenseReader.nodeCount(in: "Example Corp [25 Nodes]") == 25)
        #expect(LicenseReader.nodeCount(in: "A [b] Corp [1000 Nodes]") == 1000)
        #expect(LicenseReader.nodeCount(in: "Example Corp") == nil)
        #expect(LicenseReader.nodeCount(in: "Example Corp [Trial]") == nil)
    }

    static let badInputs: [(String, String, String)] = [
        ("wrong root", LicenseFixture.xml(root: "licence"), "'license'"),
        ("no id", LicenseFixture.xml(id: nil), "'id'"),
        ("id not a GUID", LicenseFixture.xml(id: "not-a-guid-secret-value"), "'id'"),
        ("no type", LicenseFixture.xml(type: nil), "'type'"),
        ("unknown type", LicenseFixture.xml(type: "Gold"), "'type'"),
        ("no expiration", LicenseFixture.xml(expiration: nil), "'expiration'"),
        ("bad expiration", LicenseFixture.xml(expiration: "soon"), "'expiration'"),
        ("no name", LicenseFixture.xml(name: nil), "'name'"),
        ("no signature", LicenseFixture.xml(signature: false), "'Signature'"),
        ("cut short", String(LicenseFixture.xml().prefix(120)), "malformed XML"),
        ("not XML", "id=\"\(LicenseFixture.secretID)\" just text", "malformed XML"),
        ("empty", "", "malformed"),
        ("DTD", "<!DOCTYPE license [<!ENTITY x \"y\">]>" + LicenseFixture.xml(), "DOCTYPE"),
    ]

    @Test("bad input: one error naming the file and the field, never the licence id", arguments: badInputs)
    func badInput(label: String, xml: String, field: String) {
        do {
            _ = try LicenseReader.parse(LicenseFixture.bytes(xml), file: "renewal/chocolatey.license.xml")
            Issue.record("\(label): accepted")
        } catch {
            let message = Redaction.redactKnown(error.description)
            #expect(message.hasPrefix("renewal/chocolatey.license.xml: "), "\(label): \(message)")
            #expect(message.contains(field), "\(label): \(message)")
            #expect(!error.description.contains(LicenseFixture.secretID), "\(label): the id is in the message itself")
            #expect(!error.description.contains("not-a-guid-secret-value"), "\(label): the bad id is in the message")
            #expect(!message.contains("\n"), "\(label): one line")
        }
    }

    @Test("the id is registered as a secret as soon as the file is read, even when it is refused")
    func idRegistered() {
        let id = "0a1b2c3d-1111-4222-8333-944455566677"
        _ = try? LicenseReader.parse(LicenseFixture.bytes(LicenseFixture.xml(id: id, signature: false)), file: "x.xml")
        #expect(Redaction.redactKnown("licence \(id) leaked") == "licence \(Redaction.placeholder) leaked")
    }

    @Test("expiry: valid, within 30 days, expired", arguments: [(400, "valid"), (31, "valid"), (30, "expiring-soon"), (1, "expiring-soon"), (-1, "expired"), (-400, "expired")])
    func expiry(days: Int, state: String) throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let xml = LicenseFixture.xml(expiration: LicenseFixture.date(daysFromNow: days, now: now.addingTimeInterval(3600)))
        let license = try LicenseReader.parse(LicenseFixture.bytes(xml), file: "l.xml")
        let expiry = LicenseExpiry(license, now: now)
        #expect(LicenseReport(license, expiry: expiry, packageVersion: "1").state == state)
        let severity = expiry.findings(for: license).first?.severity
        #expect(severity == (state == "valid" ? .note : state == "expired" ? .error : .warning))
        #expect(!expiry.summary(for: license).contains(LicenseFixture.secretID))
    }

    @Test("a type without Central Management gets a warning finding")
    func typeWarning() throws {
        let license = try LicenseReader.parse(LicenseFixture.bytes(LicenseFixture.xml(type: "Professional")), file: "l.xml")
        let findings = LicenseExpiry(license, now: Date(timeIntervalSince1970: 1_700_000_000)).findings(for: license)
        #expect(findings.contains { $0.rule == "license.type" && $0.severity == .warning })
    }
}
