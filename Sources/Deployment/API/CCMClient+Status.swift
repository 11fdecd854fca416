import Foundation

/// Reading a plan's progress through the endpoints Chocolatey's own clients read, and only the fields they
/// read (remote-hosts.md §4.3, ccm.md §10.2–10.3):
///
/// - the plan: `DeploymentPlans/GetAllPaged` → `result.items[]` with `id`, `name`, `result` [M2
///   Get-CCMDeploymentPlan, Wait-DeploymentPlan]; `finishDateTimeUtc` [M3] and `isArchived` [M2] when present;
/// - its steps: `DeploymentSteps/GetAllPagedByDeploymentPlanId` → `result.items[]` [M1 Get-DeploymentResult];
/// - each step's computers: `DeploymentStepComputers/GetAllByDeploymentStepId` → `result` [M1
///   Get-CCMDeploymentStep]; no client reads their fields, so every one of them is optional here.
///
/// Once a plan has started, an answer without a field, or a step or computer list CCM refuses, makes that
/// part **unknown** (with a note saying why) instead of ending the run: the plan keeps running on the
/// agents whatever this tool can read.
extension CCMClient {
    /// Items per page: ChocoCCM's fixed 10 truncated plans with more steps (ccm.md §10.7 item 9).
    static let pageSize = 100
    /// Pages read before giving up on finding a plan (10 000 plans).
    static let maxPages = 100
    /// The step results ChocoCCM asks for, in its order [M1 Get-DeploymentResult].
    static let stepResultFilter = "Success,Failed,Unreachable,Inconclusive,Ready,Active,Cancelled,Unknown,Draft"

    /// The plan, its steps and each step's computers. `name` narrows the plan search (`Filter`); without
    /// it every page of plans is read until `id` turns up.
    ///
    /// - Throws: transport errors, ``DeploymentError/unauthorized(url:status:)`` and a refused plan list
    ///   (the wait loop retries transport errors); anything missing from an answer is unknown, not an error.
    public func status(_ id: Int, name: String? = nil) async throws(DeploymentError) -> PlanStatus {
        var notes: [String] = []
        let (plan, listedAsArchived) = try await findPlan(id, name: name)
        if plan == nil {
            notes.append("DeploymentPlans/GetAllPaged does not list plan \(id) (archived, deleted, or not visible to this account)")
        }
        let result = plan.flatMap { DeploymentResult(json: $0["result"]) }
        if plan != nil, result == nil { notes.append("CCM's plan list gave no 'result' for plan \(id)") }
        let steps: [PlanStatus.Step]
        do {
            steps = try await self.steps(of: id, notes: &notes)
        } catch {
            guard case let .apiError(url, status, message) = error else { throw error }
            notes.append("the step list is unknown: \(url) answered HTTP \(status): \(message)")
            steps = []
        }
        return PlanStatus(id: id, name: plan?["name"]?.string ?? name ?? "", result: result ?? .unknown,
                          isArchived: plan?["isArchived"]?.bool ?? listedAsArchived,
                          finished: plan?["finishDateTimeUtc"].map { !$0.isNull } ?? false, steps: steps, notes: notes, listed: plan != nil)
    }

    /// The plan's entry in `GetAllPaged` (not archived first, then archived, as chococcm's `IsArchived`
    /// switch asks), and whether it was in the archived list; nil when not listed.
    func findPlan(_ id: Int, name: String?) async throws(DeploymentError) -> (JSONValue?, archived: Bool) {
        for archived in [false, true] {
            var skip = 0
            for _ in 0..<Self.maxPages {
                let query = "Filter=\(Self.queryValue(name ?? ""))&IsArchived=\(archived)&SkipCount=\(skip)&MaxResultCount=\(Self.pageSize)"
                let page = try await call(.get, "DeploymentPlans/GetAllPaged?" + query)
                let items = page["items"]?.array ?? page.array ?? []
                if let plan = items.first(where: { $0["id"]?.int == id }) { return (plan, archived) }
                if items.count < Self.pageSize { break }
                skip += items.count
            }
        }
        return (nil, false)
    }

    /// Every step of the plan, in plan order, each with its computers (or unknown computers).
    func steps(of id: Int, notes: inout [String]) async throws(DeploymentError) -> [PlanStatus.Step] {
        var items: [JSONValue] = []
        for _ in 0..<Self.maxPages {
            let query = "resultFilter=\(Self.queryValue(Self.stepResultFilter))&deploymentPlanId=\(id)&sorting=planOrder%20asc"
                + "&skipCount=\(items.count)&maxResultCount=\(Self.pageSize)"
            let page = try await call(.get, "DeploymentSteps/GetAllPagedByDeploymentPlanId?" + query)
            let batch = page["items"]?.array ?? page.array ?? []
            items += batch
            if batch.count < Self.pageSize { break }
        }
        var steps: [PlanStatus.Step] = []
        for (index, item) in items.enumerated() {
            let step = item["deploymentStep"] ?? item
            let stepID = step["id"]?.int
            let order = step["planOrder"]?.int ?? index + 1
            var computers: [PlanStatus.Computer]?
            if let stepID {
                do {
                    computers = try await self.computers(ofStep: stepID)
                } catch {
                    guard case let .apiError(url, status, message) = error else { throw error }
                    notes.append("step \(order): computers unknown: \(url) answered HTTP \(status): \(message)")
                }
            } else {
                notes.append("step \(order): CCM's step list gave no 'id', so its computers are unknown")
            }
            steps.append(PlanStatus.Step(id: stepID, name: step["name"]?.string ?? "", planOrder: order,
                                         result: DeploymentResult(json: step["result"]) ?? .unknown, computers: computers))
        }
        return steps
    }

    /// One row per computer. No client reads these rows' fields, so names and results are read where the
    /// usual ABP names put them and are unknown otherwise.
    func computers(ofStep stepID: Int) async throws(DeploymentError) -> [PlanStatus.Computer] {
        let result = try await call(.get, "DeploymentStepComputers/GetAllByDeploymentStepId?deploymentStepId=\(stepID)")
        return (result.array ?? result["items"]?.array ?? []).map { raw in
            let entry = raw["deploymentStepComputer"] ?? raw
            let name = entry["computerName"]?.string ?? entry["computer"]?["name"]?.string ?? raw["computerName"]?.string
                ?? entry["computerId"]?.int.map { "computer \($0)" } ?? "unknown computer"
            return PlanStatus.Computer(name: name, result: DeploymentResult(json: entry["result"]) ?? .unknown, exitCode: entry["exitCode"]?.int)
        }
    }

    /// Polls until the plan finishes. Inconclusive is accepted as final only after `inconclusivePolls`
    /// further polls (agents ≥ 1.1.0 retry after a restart). `onPoll` sees every status.
    ///
    /// A network failure during a poll is retried at the next poll, up to `transportFailures` in a row: a
    /// plan runs for hours and one dropped connection must not end the wait.
    public func wait(
        _ id: Int, name: String? = nil, intervalSeconds: Double, maxPolls: Int, inconclusivePolls: Int = 3, transportFailures: Int = 3,
        onPoll: @Sendable (PlanStatus) -> Void = { _ in }
    ) async throws(DeploymentError) -> PlanStatus {
        var inconclusiveSeen = 0
        var failuresInARow = 0
        var last: PlanStatus?
        var knownName = name
        for poll in 1...max(1, maxPolls) {
            let status: PlanStatus
            do {
                status = try await self.status(id, name: knownName)
                failuresInARow = 0
            } catch {
                guard case .transport = error, failuresInARow < transportFailures, poll < maxPolls else { throw error }
                failuresInARow += 1
                try await pause(intervalSeconds)
                continue
            }
            if !status.name.isEmpty { knownName = status.name }
            onPoll(status)
            last = status
            if status.result == .inconclusive {
                inconclusiveSeen += 1
                if inconclusiveSeen > inconclusivePolls { return status }
            } else if status.result.isTerminal || status.isArchived {
                return status
            }
            if poll < maxPolls { try await pause(intervalSeconds) }
        }
        throw .waitExhausted(planID: id, polls: maxPolls, lastState: last.map { $0.state.description } ?? "unknown")
    }

    private func pause(_ seconds: Double) async throws(DeploymentError) {
        guard seconds > 0 else { return }
        do { try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000)) } catch { throw .cancelled(url: baseURL) }
    }

    /// A query-string value, percent-encoded (`,` and space included, as ChocoCCM sends them).
    static func queryValue(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
