import Foundation
import Versioning

/// Reading the estate from CCM: groups, their computers and each computer's installed packages
/// (remote-hosts.md §4). Every list is accepted as a bare array or as ABP's paged `{totalCount, items}`, and
/// paged until `totalCount` (ABP's default page is 10 — whether CCM keeps it is unverified, §4).
extension CCMClient {
    /// `Computers/GetAll`: every computer with its id, name and last check-in [§4.1; M2 classes/01-Computer.ps1].
    public func computers() async throws(DeploymentError) -> [CCMEstate.Computer] {
        try await list("Computers/GetAll").map { item throws(DeploymentError) in
            guard let id = item["id"]?.int, let name = item["name"]?.string ?? item["friendlyName"]?.string else {
                throw .invalidResponse(url: baseURL + "/api/services/app/Computers/GetAll", field: "result[]", expected: "should hold objects with 'id' and 'name'")
            }
            return CCMEstate.Computer(id: id, name: name, lastCheckIn: item["lastCheckInDateTime"]?.string.flatMap(CCMEstate.date))
        }
    }

    /// `ComputerGroup/GetAllByGroupId?groupId=N`: the ids of a group's computers [§4.1; M2 Get-CCMGroupMembership.ps1:23].
    public func computerIDs(inGroup groupID: Int) async throws(DeploymentError) -> [Int] {
        let path = "ComputerGroup/GetAllByGroupId?groupId=\(groupID)"
        return try await list(path).map { row throws(DeploymentError) in
            guard let id = row["computerId"]?.int else {
                throw .invalidResponse(url: baseURL + "/api/services/app/" + path, field: "result[].computerId", expected: "should be the computer's id")
            }
            return id
        }
    }

    /// `ComputerSoftware/GetAllByComputerId?computerId=N`: the computer's currently installed package versions, ids
    /// lower-cased; one record per package version, `isCurrentlyInstalled` false for what was removed [§4.2;
    /// M2 Get-CCMComputerSoftware.ps1:21, classes/02-ComputerSoftware.ps1, classes/11-Software.ps1].
    public func installedPackages(computerID: Int) async throws(DeploymentError) -> [String: NuGetVersion] {
        var packages: [String: NuGetVersion] = [:]
        for record in try await list("ComputerSoftware/GetAllByComputerId?computerId=\(computerID)") {
            guard record["isCurrentlyInstalled"]?.bool != false, let software = record["software"],
                let id = software["packageId"]?.string, !id.isEmpty,
                let version = software["packageVersion"]?.string.flatMap({ NuGetVersion($0) })
            else { continue }  // software found by the agent that is not a package, or an unreadable version
            let key = id.lowercased()
            if let existing = packages[key], existing >= version { continue }
            packages[key] = version
        }
        return packages
    }

    /// The whole client estate: every group with its computers and their versions of `packageIDs`.
    public func estate(packageIDs: [String]) async throws(DeploymentError) -> CCMEstate {
        let directory = try await groups()
        var byID: [Int: CCMEstate.Computer] = [:]
        for computer in try await computers() { byID[computer.id] = computer }
        var software: [Int: [String: NuGetVersion]] = [:]
        let wanted = Set(packageIDs.map { $0.lowercased() })
        var groups: [CCMEstate.Group] = []
        for name in directory.names {
            guard let id = directory.id(of: name) else { continue }
            var members: [CCMEstate.Computer] = []
            for computerID in try await computerIDs(inGroup: id) {
                if software[computerID] == nil {
                    software[computerID] = try await installedPackages(computerID: computerID).filter { wanted.contains($0.key) }
                }
                var computer = byID[computerID] ?? CCMEstate.Computer(id: computerID, name: "computer \(computerID)", lastCheckIn: nil)
                computer.packages = software[computerID] ?? [:]
                members.append(computer)
            }
            groups.append(CCMEstate.Group(id: id, name: name, computers: members))
        }
        return CCMEstate(groups: groups)
    }

    /// A list result, paged when CCM pages it.
    private func list(_ path: String) async throws(DeploymentError) -> [JSONValue] {
        let pageSize = 500
        var items: [JSONValue] = []
        while true {
            let separator = path.contains("?") ? "&" : "?"
            let paged = items.isEmpty ? path : path + "\(separator)skipCount=\(items.count)&maxResultCount=\(pageSize)"
            let result = try await call(.get, paged)
            if let array = result.array { return array }
            guard let page = result["items"]?.array else {
                throw .invalidResponse(url: baseURL + "/api/services/app/" + path, field: "result", expected: "should be a list (or {totalCount, items})")
            }
            items += page
            let total = result["totalCount"]?.int ?? items.count
            if page.isEmpty || items.count >= total || items.count >= 1_000_000 { return items }
        }
    }
}
