import Compatibility
import Foundation
import Repository
import Versioning

extension PackageSelectionOptions {
    /// The packages CCM `version` needs, per the compatibility matrix: the three server packages at exactly
    /// that version and the client packages (newest in the matrix range) from the licensed source, without
    /// dependencies; the .NET prerequisites of its era from the community source (newest in the documented
    /// range, else the last version the setup docs pinned).
    static func requests(forCCM text: String, community: String, licensed: String) throws -> [PackageRequest] {
        let version: NuGetVersion
        let requirements: CCMRequirements
        do {
            version = try NuGetVersion(parsing: text)
            requirements = try Matrix.embedded().requirements(forCCM: version)
        } catch {
            throw CommandFailure.badInput("--for-ccm \(text): \(error)")
        }
        var requests = CCMCatalogue.standard.serverPackageIDs.map {
            PackageRequest(id: $0, version: .exact(version), source: licensed, ignoreDependencies: true)
        }
        for client in requirements.clients {
            requests.append(PackageRequest(id: client.packageID, version: .newest(in: client.range), source: licensed, ignoreDependencies: true))
        }
        for prerequisite in requirements.prerequisites {
            let policy: VersionPolicy
            if !prerequisite.range.isAll {
                policy = .newest(in: prerequisite.range)
            } else if let pinned = prerequisite.docsPinned.last {
                policy = .exact(pinned)
            } else {
                policy = .latest
            }
            requests.append(PackageRequest(id: prerequisite.id, version: policy, source: community))
        }
        if requirements.reliesOnInference {
            Console.warning("some requirements of CCM \(version.normalized) are inferred, not published: check `ccm-upgrade matrix` before relying on them")
        }
        return requests
    }
}
