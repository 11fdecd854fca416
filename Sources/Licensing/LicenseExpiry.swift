import Compatibility
import Foundation

/// How close a licence is to its end, and the finding `matrix check` and `plan` report for it.
public enum LicenseExpiry: Sendable, Hashable {
    /// A warning starts this many days before the expiration.
    public static let warningDays = 30

    /// More than ``warningDays`` left.
    case valid(daysLeft: Int)
    /// ``warningDays`` or fewer left.
    case expiringSoon(daysLeft: Int)
    /// The expiration has passed.
    case expired(daysAgo: Int)

    /// The state of `license` at `now`. Days are whole days, counted down (a licence that ends tomorrow
    /// morning has 0 days left, and is still valid until then).
    public init(_ license: ChocolateyLicense, now: Date = Date()) {
        let seconds = license.expiration.timeIntervalSince(now)
        if seconds <= 0 {
            self = .expired(daysAgo: Int((-seconds / 86_400).rounded(.down)))
        } else {
            let days = Int((seconds / 86_400).rounded(.down))
            self = days <= Self.warningDays ? .expiringSoon(daysLeft: days) : .valid(daysLeft: days)
        }
    }

    public var isExpired: Bool { if case .expired = self { return true } else { return false } }

    /// One sentence for people (no licence id, no holder name).
    public func summary(for license: ChocolateyLicense) -> String {
        let kind = "\(license.type.rawValue) licence" + (license.nodeCount.map { " for \($0) nodes" } ?? "")
        switch self {
        case let .valid(days): return "\(kind) valid until \(license.expirationDay) (\(days) days left)"
        case let .expiringSoon(days):
            return "\(kind) expires on \(license.expirationDay) (\(days) day\(days == 1 ? "" : "s") left): renew it and roll it out with 'ccm-upgrade license push' and 'ccm-upgrade license plan'"
        case let .expired(days):
            return "\(kind) EXPIRED on \(license.expirationDay) (\(days) day\(days == 1 ? "" : "s") ago): licensed packages cannot be downloaded and licensed features stop; renew it first"
        }
    }

    /// The finding for a compatibility report: an error when expired, a warning within ``warningDays``, a
    /// note otherwise; a warning too when the type does not cover Central Management.
    public func findings(for license: ChocolateyLicense) -> [Finding] {
        let subject = (license.file as NSString).lastPathComponent
        let source = "Chocolatey's CCM licence-update guidance (restart the agents, the service and the website)"
        var findings: [Finding]
        switch self {
        case .valid: findings = [Finding(.note, rule: "license.expiry", subject: subject, message: summary(for: license), source: source)]
        case .expiringSoon: findings = [Finding(.warning, rule: "license.expiry", subject: subject, message: summary(for: license), source: source)]
        case .expired: findings = [Finding(.error, rule: "license.expiry", subject: subject, message: summary(for: license), source: source)]
        }
        if !license.type.coversCentralManagement {
            findings.append(Finding(.warning, rule: "license.type", subject: subject,
                                    message: "a \(license.type.rawValue) licence does not include Chocolatey Central Management (a Chocolatey for Business licence does)",
                                    source: "Chocolatey's licensing documentation", inferred: "which licence types include CCM is inferred from Chocolatey's product names"))
        }
        return findings
    }
}

/// What `license check --format json` prints: everything about the licence except its id (and the holder).
public struct LicenseReport: Sendable, Hashable, Codable {
    public var file: String
    public var type: String
    /// `yyyy-MM-dd` (UTC).
    public var expiration: String
    /// `valid`, `expiring-soon` or `expired`.
    public var state: String
    /// Whole days left (negative: days since it expired).
    public var daysLeft: Int
    public var nodeCount: Int?
    public var coversCentralManagement: Bool
    /// `chocolatey-license` and the version the package gets.
    public var packageId: String
    public var packageVersion: String

    public init(_ license: ChocolateyLicense, expiry: LicenseExpiry, packageVersion: String) {
        file = license.file
        type = license.type.rawValue
        expiration = license.expirationDay
        switch expiry {
        case let .valid(days): (state, daysLeft) = ("valid", days)
        case let .expiringSoon(days): (state, daysLeft) = ("expiring-soon", days)
        case let .expired(days): (state, daysLeft) = ("expired", -days)
        }
        nodeCount = license.nodeCount
        coversCentralManagement = license.type.coversCentralManagement
        packageId = LicensePackage.id
        self.packageVersion = packageVersion
    }
}
