import Versioning

/// A restart a plan step may ask for: one of a fixed, allow-listed set, never a free-text command. A plan
/// file names the action; the PowerShell it runs is built here from the documented commands, so a
/// hand-edited plan cannot make `run` execute anything else.
///
/// Sources: the seed FAQ "The updated license file is not being picked up in the website" and ccm.md §7.2
/// (after a licence update restart the agents, the service and the website); ccm.md §4.2–4.4 for the names;
/// ccm.md §4.3 "Restarting the website" (docs `RestartCcmWebsite.mdx`) for the website per CCM version.
public enum RestartAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The CCM service (Windows service `chocolatey-central-management`).
    case service = "ccm-service"
    /// The CCM website (IIS site and app pool `ChocolateyCentralManagement`, process `…Web.Mvc`).
    case website = "ccm-website"
    /// The Chocolatey Agent (Windows service `chocolatey-agent`).
    case agent = "chocolatey-agent"

    /// The CCM service's Windows service name (ccm.md §4.2).
    public static let serviceName = "chocolatey-central-management"
    /// The agent's Windows service name (ccm.md §4.4).
    public static let agentServiceName = "chocolatey-agent"
    /// The IIS website and app pool name (ccm.md §4.3).
    public static let websiteName = "ChocolateyCentralManagement"
    /// The website's process (ccm.md §4.3; the seed FAQ stops it).
    public static let websiteProcess = "ChocolateySoftware.ChocolateyManagement.Web.Mvc"

    /// What is restarted, for people.
    public var title: String {
        switch self {
        case .service: return "restart the CCM service (\(Self.serviceName))"
        case .website: return "restart the CCM website (\(Self.websiteName))"
        case .agent: return "restart the Chocolatey Agent (\(Self.agentServiceName))"
        }
    }

    /// The PowerShell lines for the restart. The website's depends on the CCM version (docs
    /// `RestartCcmWebsite.mdx`): before 0.6.0 stopping the process is enough (IIS starts it again); 0.6.0
    /// and 0.6.1 need the process stopped and then the site and app pool cycled; from 0.6.2 the three IIS
    /// cmdlets alone. An unknown version gets the 0.6.0/0.6.1 sequence, which covers both.
    public func script(ccmVersion: NuGetVersion?) -> [String] {
        var lines = ["$ErrorActionPreference = 'Stop'"]
        switch self {
        case .service:
            lines.append("Restart-Service -Name '\(Self.serviceName)' -Force")
        case .agent:
            lines.append("Restart-Service -Name '\(Self.agentServiceName)' -Force")
        case .website:
            let stopProcess = "Get-Process -Name '\(Self.websiteProcess)' -ErrorAction SilentlyContinue | Stop-Process -Force"
            let cycleSite = [
                "Import-Module WebAdministration",
                "Stop-Website -Name '\(Self.websiteName)'",
                "Restart-WebAppPool -Name '\(Self.websiteName)'",
                "Start-Website -Name '\(Self.websiteName)'",
            ]
            let v060 = NuGetVersion(major: 0, minor: 6), v062 = NuGetVersion(major: 0, minor: 6, patch: 2)
            switch ccmVersion {
            case let version? where version < v060: lines.append(stopProcess)
            case let version? where version >= v062: lines += cycleSite
            default: lines += [stopProcess] + cycleSite
            }
        }
        return lines
    }

    /// The script `run` executes for this action on the step's host (``ChocoHost/runPowerShell(_:marker:line:)``).
    public func powershell(ccmVersion: NuGetVersion?) -> AllowListedPowerShell {
        AllowListedPowerShell(lines: script(ccmVersion: ccmVersion))
    }

    /// The command as shown to people and written to the journal.
    public func displayCommand(ccmVersion: NuGetVersion?) -> String {
        "powershell -NoProfile -NonInteractive -Command \"" + script(ccmVersion: ccmVersion).dropFirst().joined(separator: "; ") + "\""
    }
}

/// PowerShell the tool wrote itself from a fixed allow-list (a ``RestartAction``'s documented commands), never
/// text from a plan file or an admin: only Planning can make one, so a ``ChocoHost`` that runs it runs nothing else.
public struct AllowListedPowerShell: Sendable, Hashable {
    /// The script's lines (the first sets `$ErrorActionPreference = 'Stop'`, so a failing cmdlet ends it non-zero).
    public let lines: [String]

    init(lines: [String]) { self.lines = lines }

    /// The script as one text.
    public var text: String { lines.joined(separator: "\n") }

    /// The arguments after `powershell` that run the script without a profile, prompt or execution policy.
    public var arguments: [String] { ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", text] }
}
