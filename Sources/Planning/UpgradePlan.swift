import Foundation
import Compatibility
import Versioning

/// An upgrade plan: the ordered steps that take an estate to one CCM version.
///
/// Versioned JSON (``formatVersion``); `run` re-validates it on load, so hand edits that combine packages,
/// reorder server steps or mix server versions are refused. A plan never contains a secret, only references.
public struct UpgradePlan: Sendable, Hashable, Codable {
    /// The plan file format this build writes and reads. 2: the internalize step lists its packages as
    /// `{ "id", "version" }` objects (format 1 had `"id version"` text).
    public static let currentFormatVersion = 2

    public var formatVersion: Int
    /// The tool that wrote the plan, e.g. `ccm-upgrade 0.1.0`.
    public var generator: String
    /// The CCM version the plan upgrades to (normalized).
    public var target: NuGetVersion
    /// The CCM version the server packages are at now, when known.
    public var from: NuGetVersion?
    /// The internal feed every `choco upgrade` uses as `--source` (no credentials).
    public var source: String
    /// A digest of the estate the plan was made for; `run` refuses a plan whose estate changed.
    public var estateFingerprint: String
    /// A digest of the feed versions the plan relied on; `run` refuses a plan when the feed changed.
    public var feedFingerprint: String
    /// The package ids (lower case) ``feedFingerprint`` covers.
    public var feedFingerprintPackages: [String]
    /// Preflight findings that did not block the plan (warnings and notes).
    public var preflight: [Finding]
    public var steps: [PlanStep]

    public init(
        generator: String, target: NuGetVersion, from: NuGetVersion?, source: String, estateFingerprint: String,
        feedFingerprint: String, feedFingerprintPackages: [String] = [], preflight: [Finding], steps: [PlanStep]
    ) {
        formatVersion = Self.currentFormatVersion
        self.generator = generator
        self.target = target
        self.from = from
        self.source = source
        self.estateFingerprint = estateFingerprint
        self.feedFingerprint = feedFingerprint
        self.feedFingerprintPackages = feedFingerprintPackages
        self.preflight = preflight
        self.steps = steps
    }
}

extension UpgradePlan {
    /// Why the plan no longer fits the estate or the feed it was made for, or nil when it still does.
    ///
    /// - Parameters:
    ///   - inventory: the estate now, when known.
    ///   - feed: the internal feed's versions now, for ``feedFingerprintPackages``.
    public func staleness(inventory: Inventory?, feed: [String: [NuGetVersion]]?) -> String? {
        if let inventory, Fingerprint.of(inventory) != estateFingerprint {
            return "the estate changed since the plan was made (the inventory's fingerprint differs)"
        }
        if let feed, Fingerprint.ofFeed(Planner.lowercasedKeys(feed), ids: Set(feedFingerprintPackages)) != feedFingerprint {
            return "the internal feed changed since the plan was made (versions of \(feedFingerprintPackages.joined(separator: ", ")))"
        }
        return nil
    }
}

/// One step: exactly one package, one version, on one host or one client group.
public struct PlanStep: Sendable, Hashable, Codable {
    /// Phases in the only safe order.
    public enum Phase: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// Bring missing packages into the internal feed.
        case internalize
        /// The licence package (`chocolatey-license`) on a host or client group (licence renewal).
        case license
        /// chocolatey / chocolatey.extension on the server hosts, as the target requires.
        case serverPrerequisites = "server-prerequisites"
        case database
        case service
        case web
        /// The agent on the CCM service host.
        case hostAgent = "host-agent"
        /// chocolatey / chocolatey.extension / chocolatey-agent on a client group.
        case clientAgents = "client-agents"
        /// An allow-listed restart (``RestartAction``) on a host or client group, e.g. after a licence renewal.
        case restart

        public static func < (lhs: Phase, rhs: Phase) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// 1-based position; steps run in this order.
    public var number: Int
    public var phase: Phase
    /// The host the step runs on (server phases), or nil.
    public var host: String?
    /// The client group the step targets (client-agents phase), or nil.
    public var group: String?
    public var package: String
    public var version: NuGetVersion
    /// The version installed when the plan was made, when known.
    public var fromVersion: NuGetVersion?
    /// Parameters for `--package-parameters`.
    public var parameters: [PackageParameter]
    /// Parameters for `--package-parameters-sensitive` (secrets; kept out of Chocolatey's logs).
    public var sensitiveParameters: [PackageParameter]
    /// For `internalize`: the packages to bring in.
    public var packages: [PinnedPackage]
    /// Why the step exists, and anything the admin should know.
    public var notes: [String]
    /// For `restart` steps: what is restarted (an allow-listed action, never a command). `package` and
    /// `version` then name what the restart is for (the licence package).
    public var restart: RestartAction?

    public init(
        number: Int = 0, phase: Phase, host: String? = nil, group: String? = nil, package: String, version: NuGetVersion,
        fromVersion: NuGetVersion? = nil, parameters: [PackageParameter] = [], sensitiveParameters: [PackageParameter] = [],
        packages: [PinnedPackage] = [], notes: [String] = [], restart: RestartAction? = nil
    ) {
        self.number = number
        self.phase = phase
        self.host = host
        self.group = group
        self.package = package
        self.version = version
        self.fromVersion = fromVersion
        self.parameters = parameters
        self.sensitiveParameters = sensitiveParameters
        self.packages = packages
        self.notes = notes
        self.restart = restart
    }

    /// Where the step runs, for people: `host ccm01`, `group Servers`, `internal feed`.
    public var place: String {
        if let host { return "host \(host)" }
        if let group { return "group \(group)" }
        return "internal feed"
    }

    /// The `choco upgrade` command for this step, with secrets shown as references.
    public func chocoCommand(source: String) -> ChocoCommand {
        ChocoCommand(package: package, version: version, source: source, parameters: parameters, sensitiveParameters: sensitiveParameters)
    }
}

/// A package at one exact version: what an internalize step brings into the internal feed.
public struct PinnedPackage: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The package id as the feed lists it.
    public var id: String
    public var version: NuGetVersion

    public init(id: String, version: NuGetVersion) {
        self.id = id
        self.version = version
    }

    /// `id version`, as people read it and `choco` would take it.
    public var description: String { "\(id) \(version.normalized)" }
}

/// One `choco upgrade` of exactly one package, pinned, from the internal feed, non-interactive.
public struct ChocoCommand: Sendable, Hashable {
    public var package: String
    public var version: NuGetVersion
    public var source: String
    public var parameters: [PackageParameter]
    public var sensitiveParameters: [PackageParameter]

    /// Arguments after `choco`, with secrets resolved by `resolve`. A secret reference goes only into
    /// `--package-parameters-sensitive` (choco's interface for secrets), even when a hand-edited plan lists it
    /// among the plain parameters (the validator refuses such plans; this is the second line of defence).
    public func arguments(resolve: (SecretReference) throws(PlanningError) -> String) throws(PlanningError) -> [String] {
        var arguments = ["upgrade", package, "--version", version.normalized, "--source", source, "-y", "--no-progress"]
        let parameters = self.parameters.filter { !$0.isSecret }
        let sensitiveParameters = self.sensitiveParameters + self.parameters.filter(\.isSecret)
        if !parameters.isEmpty {
            var rendered: [String] = []
            for parameter in parameters { rendered.append(try parameter.rendered(resolve: resolve)) }
            arguments.append("--package-parameters=" + rendered.joined(separator: " "))
        }
        if !sensitiveParameters.isEmpty {
            var rendered: [String] = []
            for parameter in sensitiveParameters { rendered.append(try parameter.rendered(resolve: resolve)) }
            arguments.append("--package-parameters-sensitive=" + rendered.joined(separator: " "))
        }
        return arguments
    }

    /// The command as shown to people and written to logs: secrets masked as `<env:NAME>`.
    public var masked: String {
        let arguments = (try? arguments(resolve: { reference throws(PlanningError) in "<\(reference)>" })) ?? []
        return "choco " + arguments.map(Self.quoteForDisplay).joined(separator: " ")
    }

    static func quoteForDisplay(_ argument: String) -> String {
        guard argument.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) else { return argument }
        if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
            let value = argument[argument.index(after: equals)...]
            return String(argument[...equals]) + "\"'" + value.replacingOccurrences(of: "'", with: "''") + "'\""
        }
        return "'" + argument.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
