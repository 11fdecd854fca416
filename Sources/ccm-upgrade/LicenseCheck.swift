import Compatibility
import Licensing

/// `--license FILE` on `matrix check` and `plan`: the licence's expiry as findings.
enum LicenseCheck {
    /// `report` with the licence's findings added (an expired licence is an error, so the check fails).
    static func adding(_ path: String, to report: CheckReport) throws -> CheckReport {
        let licence = try LicenseReader.read(path: path)
        let findings = LicenseExpiry(licence).findings(for: licence)
        return CheckReport(matrix: report.matrix, ccmVersions: report.ccmVersions, findings: report.findings + findings)
    }

    /// The licence's findings for a plan's preflight; an expired licence stops the plan (exit 1): licensed
    /// packages can no longer be downloaded, so renew first.
    static func findingsRefusingExpired(_ path: String) throws -> [Finding] {
        let licence = try LicenseReader.read(path: path)
        let expiry = LicenseExpiry(licence)
        if expiry.isExpired { throw LicenseError.expired(file: licence.file, expiration: licence.expirationDay) }
        return expiry.findings(for: licence)
    }
}
