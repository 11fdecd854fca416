import ArgumentParser
import Compatibility
import Deployment
import Diagnostics
import FileSupport
import Foundation
import RemoteHosts

/// `ccm-upgrade inventory`: write the inventory file from the live estate — the CCM server hosts over SSH and
/// the client groups from CCM's API — instead of typing it.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Write the inventory from the live estate: CCM hosts over SSH, client groups from CCM's API.",
        discussion: """
            Hosts come from --update FILE (its hosts' ssh/port/shell or local fields) or --host NAME=DESTINATION. \
            Each host's installed packages are read with `choco list` over SSH; its roles follow from the CCM \
            packages installed there. Groups, their computers and their chocolatey-agent, chocolatey.extension and \
            chocolatey versions come from CCM (--url or CCM_URL, CCM_USERNAME, CCM_PASSWORD) unless --no-groups. \
            Exit codes: 0 written; 1 a host or CCM could not be read; 2 bad input.
            """
    )

    @OptionGroup var live: LiveEstateOptions

    @Option(help: ArgumentHelp("Write the inventory here (atomically); '-' for standard output (default).", valueName: "FILE"))
    var output = "-"

    func run() async throws {
        let result = try await live.read()
        let summary = result.summaries.flatMap(\.lines)
        let comments = Dictionary(
            result.summaries.map { summary in
                (summary.group, ["\(summary.computers) computer\(summary.computers == 1 ? "" : "s")"] + summary.lines.dropFirst().map { String($0.dropFirst(2)) })
            }, uniquingKeysWith: { $1 })
        let header = ["Written by ccm-upgrade inventory from the live estate; groups hold each package's lowest version."]
        var inventory = result.inventory
        // Paths in the file are relative to the file: written elsewhere than --update's folder, they must still
        // name the same files (absolute, then).
        if let update = live.update, output != "-",
           (EstateOptions.standardized(update) as NSString).deletingLastPathComponent
            != (EstateOptions.standardized(output) as NSString).deletingLastPathComponent {
            if let parameters = inventory.parameters, !parameters.hasPrefix("/") {
                inventory.parameters = EstateOptions.standardized(EstateOptions.relative(parameters, to: update))
            }
            if let source = inventory.source, EstateOptions.isRelativePath(source) {
                inventory.source = EstateOptions.standardized(EstateOptions.relative(source, to: update))
            }
        }
        let text = inventory.yamlText(header: header, comments: comments)
        for line in summary { DiagnosticPrinter.shared.log(line) }
        for group in result.summaries where group.lowest.isEmpty {
            Console.warning("group '\(group.group)' is left out: none of its \(group.computers) computers reports the client packages")
        }
        if output == "-" {
            Console.out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        } else {
            do { try AtomicFile.write(text, to: output) } catch { throw CommandFailure.problem("cannot write \(output): \(error)") }
            DiagnosticPrinter.shared.log("wrote \(output): \(result.inventory.hosts.count) host(s), \(result.inventory.groups.count) group(s)")
        }
    }

}

/// Where the live estate comes from; shared by `inventory` and the `--live` of `plan` and `matrix check`.
struct LiveEstateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read the hosts (and source, parameters, platform fields) from this inventory and refresh it.", valueName: "FILE"))
    var update: String?

    @Option(help: ArgumentHelp("A CCM host to read over SSH (repeatable); DESTINATION is user@host, a Host of your ssh config, or 'local'.", valueName: "NAME=DESTINATION[:PORT]"))
    var host: [String] = []

    @Option(help: "The default shell of the --host servers' OpenSSH: cmd (Windows' default) or powershell.")
    var shell: HostAddress.RemoteShell = .cmd

    @Option(help: ArgumentHelp("An ssh config file to use instead of ~/.ssh/config (ssh -F).", valueName: "FILE"))
    var sshConfig: String?

    @Flag(help: "Do not read client groups from CCM.")
    var noGroups = false

    @Option(help: "A computer not seen by CCM for this many days is listed as not seen.")
    var staleDays = 30

    @OptionGroup var connection: CCMConnectionArguments

    func validate() throws {
        guard (0...36_500).contains(staleDays) else { throw ValidationError("--stale-days: \(staleDays) is out of range: expected 0 to 36500") }
        if update == nil && host.isEmpty { throw ValidationError("give the hosts: --update INVENTORY or --host NAME=DESTINATION") }
    }

    /// The hosts to read: `--host` values over the inventory's.
    func hosts(base: Inventory) throws -> [(name: String, address: HostAddress)] {
        var hosts: [(name: String, address: HostAddress)] = []
        for host in base.hosts {
            guard let address = host.address else {
                throw ValidationError("\(update ?? "inventory"): host '\(host.name)' has no 'ssh' (or 'local: true'): ccm-upgrade cannot reach it")
            }
            hosts.append((host.name, address))
        }
        for text in host {
            let (name, address) = try Self.parseHost(text, shell: shell)
            hosts.removeAll { $0.name.lowercased() == name.lowercased() }
            hosts.append((name, address))
        }
        return hosts
    }

    static func parseHost(_ text: String, shell: HostAddress.RemoteShell) throws -> (String, HostAddress) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("--host: expected NAME=DESTINATION[:PORT], found '\(text)'")
        }
        if parts[1].lowercased() == "local" { return (parts[0], .local) }
        var destination = parts[1]
        var port: Int?
        if let colon = destination.lastIndex(of: ":"), let number = Int(destination[destination.index(after: colon)...]) {
            guard (1...65535).contains(number) else { throw ValidationError("--host: port \(number) is out of range 1-65535") }
            port = number
            destination = String(destination[..<colon])
        }
        guard !destination.hasPrefix("-"), !destination.contains(where: \.isWhitespace) else {
            throw ValidationError("--host: '\(destination)' is not an ssh destination (user@host or a Host of your ssh config)")
        }
        return (parts[0], .ssh(destination: destination, port: port, shell: shell))
    }

    /// Reads the live estate.
    func read() async throws -> EstateReader.Result {
        var base = Inventory()
        if let update {
            do { base = try Inventory.load(path: update) } catch { throw CommandFailure.badInput(error.description) }
        }
        let reader = EstateReader(hosts: try hosts(base: base), sshConfig: sshConfig, staleAfterDays: staleDays)
        let client = noGroups ? nil : try connection.client()
        do {
            return try await reader.read(base: base, ccm: client)
        } catch let error as RemoteHostError {
            throw CommandFailure.problem(error.description)
        }
    }
}

extension LiveEstateOptions {
    /// `--live` of `matrix check`: the inventory at `path` with its hosts read over SSH and, when CCM_URL is set,
    /// its groups read from CCM (CCM_USERNAME, CCM_PASSWORD); nothing is written.
    static func refresh(inventory path: String, sshConfig: String?) async throws -> Inventory {
        var options = try LiveEstateOptions.parse(["--update", path])
        options.sshConfig = sshConfig
        options.noGroups = (ProcessInfo.processInfo.environment["CCM_URL"] ?? "").isEmpty
        if options.noGroups { DiagnosticPrinter.shared.log("--live: CCM_URL is not set; the client groups are the inventory's") }
        let result = try await options.read()
        var inventory = result.inventory
        if options.noGroups { inventory.groups = (try? Inventory.load(path: path).groups) ?? [] }
        return inventory
    }
}

extension HostAddress.RemoteShell: ExpressibleByArgument {}
