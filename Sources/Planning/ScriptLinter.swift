import Foundation
import Compatibility
import Diagnostics

/// Checks an admin's own PowerShell or batch script for the upgrade mistakes Chocolatey warns about.
public enum ScriptLinter {
    static let licensedIDs = Set(CCMCatalogue.standard.ccmLicensedIDs)

    /// The longest script linted: upgrade scripts are a few KiB (10 MB cost 559 MiB and 8 s).
    public static let maxScriptBytes = 1 << 20

    /// Diagnostics for `text`, located at `file:line`.
    public static func lint(_ text: String, file: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        func report(_ line: Int, _ severity: Diagnostic.Severity, _ rule: String, _ message: String) {
            diagnostics.append(Diagnostic(severity, rule: rule, at: .init(file: file, line: line), Redaction.mask(message)))
        }
        guard text.utf8.count <= maxScriptBytes else {
            report(1, .error, "too-large", "the script is \(text.utf8.count) bytes; at most \(maxScriptBytes >> 20) MiB is linted")
            return diagnostics
        }
        let isBatch = ScriptReader.isBatch(fileName: file)
        var invocations: [ScriptReader.ChocoCall] = []
        for line in ScriptReader.logicalLines(text, batch: isBatch) {
            let number = line.number
            let statements = ScriptReader.statements(line.text, batch: isBatch)
            let chocoStatements = statements.compactMap { ScriptReader.chocoCall($0.text, line: number) }
            // A pipe is not a chain here (a local script may filter choco's output); ';', '&', '&&', '||' are.
            if statements.contains(where: { $0.separator == .sequence || $0.separator == .conditional }) && !chocoStatements.isEmpty {
                report(number, .error, "chained-command",
                       "choco is chained with other commands on one line (';' or '&'); put each command on its own line — CCM deployments append their arguments to the line and break the chain")
            }
            invocations += chocoStatements
        }
        let serverOrder = CCMCatalogue.standard.serverPackageIDs
        var lastServer: (index: Int, line: Int)?
        for invocation in invocations where ["upgrade", "install"].contains(invocation.command) {
            let servers = invocation.packages.filter { serverOrder.contains($0) }
            if servers.count > 1 {
                report(invocation.line, .error, "combined-server-packages",
                       "\(servers.joined(separator: ", ")) in one choco \(invocation.command); upgrade them one per command: database, then service, then web")
            }
            if invocation.packages.contains("all") {
                report(invocation.line, .error, "upgrade-all", "choco \(invocation.command) all upgrades the CCM server packages together and in no set order")
            }
            for server in servers {
                let index = serverOrder.firstIndex(of: server)!
                if let last = lastServer, index < last.index {
                    report(invocation.line, .error, "server-order",
                           "\(server) comes after \(serverOrder[last.index]) (line \(last.line)); the order is database → service → web")
                }
                lastServer = (index, invocation.line)
            }
            let licensed = invocation.packages.filter { licensedIDs.contains($0) }
            if !licensed.isEmpty, invocation.arguments.contains(where: { $0.lowercased().hasPrefix("--internalize") }) {
                report(invocation.line, .error, "internalize-licensed",
                       "never internalize licensed packages (\(licensed.joined(separator: ", "))): it breaks their signed scripts")
            }
        }
        for invocation in invocations where invocation.command == "download" {
            let licensed = invocation.packages.filter { licensedIDs.contains($0) }
            if !licensed.isEmpty, invocation.arguments.contains(where: { $0.lowercased().hasPrefix("--internalize") }) {
                report(invocation.line, .error, "internalize-licensed",
                       "never internalize licensed packages (\(licensed.joined(separator: ", "))): it breaks their signed scripts")
            }
        }
        return diagnostics.sorted { ($0.line ?? 0, $0.rule ?? "") < ($1.line ?? 0, $1.rule ?? "") }
    }
}
