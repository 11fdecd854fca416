import Foundation

/// What ccm-upgrade knows about a `chocolatey.license.xml`: its type, expiry and node count, and the file's
/// bytes (kept verbatim: the licence is signed, and the package must carry exactly what Chocolatey issued).
///
/// The licence **id** is deliberately not a property: it is the password of the licensed repository and the
/// key of the licence, so the reader registers it with `Redaction` and then forgets it. Nothing built from
/// this value (plans, journals, JSON, logs) can therefore contain it.
public struct ChocolateyLicense: Sendable, Hashable {
    /// The licence types Chocolatey's own client knows (chocolatey/choco `ChocolateyLicenseType`), minus
    /// `Unknown`: what the root element's `type` attribute holds.
    public enum LicenseType: String, Sendable, Hashable, Codable, CaseIterable {
        case foss = "Foss"
        case professional = "Professional"
        case businessTrial = "BusinessTrial"
        case architect = "Architect"
        case managedServiceProvider = "ManagedServiceProvider"
        case educational = "Educational"
        case business = "Business"
        case enterprise = "Enterprise"

        /// Whether the type is a Chocolatey for Business class licence, the kind Central Management needs
        /// (ccm.md §3: from CCM 0.9.0 every CCM package uses commercial cmdlets; §6: deployments need
        /// licence coverage). Which types include CCM is **inferred** from Chocolatey's product names:
        /// Business, its trial, Architect, MSP and Enterprise do; Professional, Educational and FOSS do not.
        public var coversCentralManagement: Bool {
            switch self {
            case .business, .businessTrial, .architect, .managedServiceProvider, .enterprise: return true
            case .foss, .professional, .educational: return false
            }
        }
    }

    /// The root element's `type`.
    public var type: LicenseType
    /// The root element's `expiration`, read as UTC (as Chocolatey's Quick Start script does).
    public var expiration: Date
    /// The node count from the `<name>` element's `[25 Nodes]` suffix, when there is one.
    public var nodeCount: Int?
    /// The file's bytes, byte for byte (BOM and line ends included).
    public var bytes: [UInt8]
    /// The file the licence was read from, for messages.
    public var file: String

    public init(type: LicenseType, expiration: Date, nodeCount: Int?, bytes: [UInt8], file: String) {
        self.type = type
        self.expiration = expiration
        self.nodeCount = nodeCount
        self.bytes = bytes
        self.file = file
    }

    /// `expiration` as `yyyy-MM-dd` (UTC): what people are shown.
    public var expirationDay: String { Self.day(expiration) }

    static func day(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
