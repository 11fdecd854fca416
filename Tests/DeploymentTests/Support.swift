import Compatibility
import Foundation
@testable import Deployment
import Planning
import Testing
import Versioning

func v(_ text: String) -> NuGetVersion { NuGetVersion(text)! }

/// Plans built by hand (the planner is tested in PlanningTests): the shapes the emitter must handle.
enum Plans {
    static let source = "https://feed.example/api/v2/"

    static func step(_ number: Int, _ phase: PlanStep.Phase, _ package: String, _ version: String, host: String? = nil, group: String? = nil,
                     parameters: [PackageParameter] = [], sensitive: [PackageParameter] = []) -> PlanStep {
        PlanStep(number: number, phase: phase, host: host, group: group, package: package, version: v(version),
                 parameters: parameters, sensitiveParameters: sensitive)
    }

    /// internalize, database, service (with re-passed parameters), web, host agent, two client groups.
    static func full(serviceParameters: [PackageParameter] = [PackageParameter("PortNumber", .text("24021"))],
                     serviceSensitive: [PackageParameter] = [PackageParameter("Password", .secret(.environment("CCM_SERVICE_PASSWORD")))]) -> UpgradePlan {
        let steps = [
            PlanStep(number: 1, phase: .internalize, package: "ccm-upgrade:internalize", version: v("0.17.0"), packages: [PinnedPackage(id: "chocolatey-agent", version: v("4.0.0"))]),
            step(2, .database, "chocolatey-management-database", "0.17.0", host: "ccm01"),
            step(3, .service, "chocolatey-management-service", "0.17.0", host: "ccm01", parameters: serviceParameters, sensitive: serviceSensitive),
            step(4, .web, "chocolatey-management-web", "0.17.0", host: "ccm01"),
            step(5, .hostAgent, "chocolatey-agent", "4.0.0", host: "ccm01"),
            step(6, .clientAgents, "chocolatey.extension", "8.0.0", group: "Workstations"),
            step(7, .clientAgents, "chocolatey-agent", "4.0.0", group: "Workstations"),
        ]
        return UpgradePlan(generator: "test", target: v("0.17.0"), from: v("0.16.0"), source: source, estateFingerprint: "e",
                           feedFingerprint: "f", preflight: [], steps: steps)
    }
}
