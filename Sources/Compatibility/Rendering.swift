import Foundation
import JSONOutput
import Versioning

/// Text and JSON renderings for the `matrix` commands. They live here, not in the executable, so the
/// output is tested and stays the same byte for byte across runs (sorted, no timestamps).
public enum MatrixRendering {
    static func encode<T: Encodable>(_ value: T) -> String {
        // Every value here is plain data; encoding cannot fail short of a programming error.
        ((try? JSONOutput.encode(value)) ?? "{}") + "\n"
    }

    // MARK: check

    private struct CheckJSON: Encodable {
        let compatible: Bool
        let matrix: String
        let ccmVersions: [String]
        let errors: Int
        let warnings: Int
        let notes: Int
        let findings: [Finding]
    }

    /// `matrix check --format json`.
    public static func json(_ report: CheckReport) -> String {
        encode(CheckJSON(
            compatible: report.isCompatible, matrix: report.matrix, ccmVersions: report.ccmVersions,
            errors: report.count(.error), warnings: report.count(.warning), notes: report.count(.note), findings: report.findings))
    }

    /// `matrix check` as text: one block per finding, then a result line.
    public static func text(_ report: CheckReport) -> String {
        var lines = ["matrix: \(report.matrix)", "CCM: \(report.ccmVersions.isEmpty ? "(not given)" : report.ccmVersions.joined(separator: ", "))", ""]
        for finding in report.findings {
            lines.append("\(finding.severity.rawValue)[\(finding.rule)] \(finding.subject): \(finding.message)")
            if let inferred = finding.inferred { lines.append("  inferred: \(inferred)") }
            if let note = finding.note { lines.append("  note: \(note)") }
            if let source = finding.source { lines.append("  source: \(source)") }
            if let location = finding.matrixLocation { lines.append("  matrix: \(location)") }
        }
        if !report.findings.isEmpty { lines.append("") }
        let counts = "\(report.count(.error)) error(s), \(report.count(.warning)) warning(s), \(report.count(.note)) note(s)"
        lines.append("result: \(report.isCompatible ? "compatible" : "incompatible") (\(counts))")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: show

    private struct ShowAllJSON: Encodable {
        let matrix: String
        let rows: [CCMRow]
        let historicalRows: [CCMRow]
        let unlistedVersions: [UnlistedVersion]
        let releases: [CCMRelease]
    }

    /// `matrix show --format json` without a version: every row, historical row, unlisted version and release.
    public static func json(allRowsOf matrix: Matrix) -> String {
        encode(ShowAllJSON(matrix: matrix.origin, rows: matrix.rows, historicalRows: matrix.historicalRows, unlistedVersions: matrix.unlistedVersions, releases: matrix.releases))
    }

    /// `matrix show VERSION --format json`.
    public static func json(_ requirements: CCMRequirements) -> String { encode(requirements) }

    /// `matrix show` as text: one line per row, newest first, with provenance.
    public static func text(allRowsOf matrix: Matrix) -> String {
        func cell(_ row: CCMRow, _ id: String) -> String {
            guard let requirement = row.requirement(for: id) else { return "-" }
            return requirement.asPublished ?? requirement.range.prettyDescription
        }
        var lines = ["matrix: \(matrix.origin)", "", "CCM       covers                  agent     extension chocolatey  source"]
        func add(_ row: CCMRow) {
            let label = row.label + (row.inferred ? "*" : "")
            lines.append([
                label.padding(9), row.ccmRange.prettyDescription.padding(23), cell(row, CCMCatalogue.standard.agentID).padding(9),
                cell(row, CCMCatalogue.standard.extensionID).padding(9), cell(row, CCMCatalogue.standard.chocolateyID).padding(11), row.provenance.summary,
            ].joined(separator: " "))
        }
        matrix.rows.forEach(add)
        lines.append("")
        lines.append("* inferred: never published by the docs; derived from neighbouring rows.")
        if !matrix.historicalRows.isEmpty {
            lines.append("")
            lines.append("historical rows (older table layouts; not used by checks):")
            matrix.historicalRows.forEach(add)
        }
        for unlisted in matrix.unlistedVersions {
            lines.append("")
            lines.append("no row: \(unlisted.version): \(unlisted.problem)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `matrix show VERSION` as text: the row, client minimums, prerequisites, breaks, all with sources.
    public static func text(_ requirements: CCMRequirements) -> String {
        let row = requirements.row
        var lines = ["CCM \(requirements.ccm)"]
        if let release = requirements.release {
            lines.append("  released: \(release.date)" + (release.note.map { "; \($0)" } ?? ""))
        } else if requirements.isKnownRelease {
            lines.append("  released: yes (its own published row; no release entry with a date)")
        } else {
            lines.append("  released: not a release this matrix knows; assuming row '\(row.label)' applies")
        }
        lines.append("  row: '\(row.label)' covering \(row.ccmRange.prettyDescription)\(row.inferred ? " (INFERRED: never published)" : "")")
        lines.append("    source: \(row.provenance.summary)")
        let details: [(String, String?)] = [
            ("history", row.provenance.history), ("corrected", row.provenance.corrected),
            ("removed from the docs", row.provenance.removed), ("note", row.provenance.note), ("note", row.note),
        ]
        for case let (label, text?) in details {
            lines.append("    \(label): \(text)")
        }
        lines.append("    matrix: \(row.location)")
        lines.append("clients:")
        for client in requirements.clients {
            lines.append("  \(client.packageID.padding(22)) \(client.readable)")
        }
        for (id, value) in row.superseded.sorted(by: { $0.key < $1.key }) {
            lines.append("  (first published for \(id): \(value), later corrected)")
        }
        if let era = requirements.dotnet {
            lines.append("prerequisites (\(era.runtime), runtime \(era.runtimeRange.prettyDescription): \(era.runtimeRangeBasis)):")
            for package in requirements.prerequisites {
                var text = "  \(package.id.padding(30)) \(package.range.prettyDescription)"
                if let recommended = package.recommended { text += ", recommended \(recommended)" }
                text += " (for \(package.requiredBy.joined(separator: ", "))\(package.optional ? "; optional" : ""))"
                lines.append(text)
            }
            lines.append("    source: \(era.provenance.summary)")
        }
        if let sql = requirements.sqlServer {
            lines.append("SQL Server:     \(sql.minimum) or later\(sql.inferred ? " (inferred)" : "")  [\(sql.provenance.summary)]")
        }
        if let windows = requirements.windowsServer {
            lines.append("Windows Server: \(windows.minimum) or later\(windows.inferred ? " (inferred)" : "")  [\(windows.provenance.summary)]")
        }
        for powershell in requirements.powershell {
            lines.append("PowerShell:     \(powershell.minimum.originalString)+ for \(powershell.component ?? "?")\(powershell.inferred ? " (inferred)" : "")  [\(powershell.provenance.summary)]")
        }
        if !requirements.setup.isEmpty { lines.append("server setup:") }
        for rule in requirements.setup {
            let what: String
            switch rule.kind {
            case .websiteHTTPS: what = "website:        HTTPS only (a certificate bound to the ChocolateyCentralManagement site)"
            case .windowsFeatures: what = "web host:       Windows features \(rule.features.joined(separator: ", "))"
            case .sqlServerService: what = "SQL Server:     service starts \(rule.startMode ?? "?")"
            }
            lines.append("  \(what)  [\(rule.provenance.summary)]")
        }
        if !requirements.communicationBreaks.isEmpty {
            lines.append("communication breaks:")
            for rule in requirements.communicationBreaks {
                lines.append("  \(rule.id): \(rule.effect)  [\(rule.provenance.summary)]")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Left-aligned in a column of `width` characters (never truncated).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
