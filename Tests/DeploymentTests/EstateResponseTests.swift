import CurlSupport
import Deployment
import Foundation
import Testing
import TestSupport
import Versioning

/// `CCMClient+Estate` against scripted CCM answers: the shapes of remote-hosts.md §4, and attack answers (wrong
/// types, missing fields, endless paging, absurd versions) that must end in one clear error or be skipped —
/// never a crash or a loop.
@Suite struct EstateResponseTests {
    static let base = "https://ccm.test"

    static func client(_ answers: @escaping @Sendable (String) -> String) throws -> CCMClient {
        let transport = FakeTransport { request, _ throws(HTTPError) in
            let path = String(request.url.dropFirst(base.count))
            if path == "/Account/Login" {
                return HTTPResponse(status: 200, headerLines: [("set-cookie", "Identity=s1; path=/")], body: Array(#"{"success":true}"#.utf8), effectiveURL: request.url)
            }
            return HTTPResponse(status: 200, headerLines: [], body: Array(answers(path).utf8), effectiveURL: request.url)
        }
        return try CCMClient(baseURL: base, credentials: Credentials(username: "admin", password: Secret("pw")), transport: transport)
    }

    static func envelope(_ result: String) -> String { #"{"success":true,"result":"# + result + "}" }

    @Test func softwareKeepsCurrentPackagesAndTheirHighestVersion() async throws {
        let rows = """
            [{"isCurrentlyInstalled":true,"software":{"packageId":"Chocolatey-Agent","packageVersion":"2.1.0"}},
             {"isCurrentlyInstalled":true,"software":{"packageId":"chocolatey-agent","packageVersion":"3.0.0"}},
             {"isCurrentlyInstalled":false,"software":{"packageId":"chocolatey","packageVersion":"9.9.9"}},
             {"isCurrentlyInstalled":true,"software":{"packageId":"chocolatey","packageVersion":"2.4.3"}},
             {"isCurrentlyInstalled":true,"software":{"packageId":null,"packageVersion":null,"name":"Mozilla Firefox"}},
             {"isCurrentlyInstalled":true,"software":{"packageId":"bad","packageVersion":"not a version"}},
             {"isCurrentlyInstalled":true,"software":{"packageId":"","packageVersion":"1.0.0"}},
             {"isCurrentlyInstalled":true},
             {"isCurrentlyInstalled":true,"software":"text"},
             42, null, "row"]
            """
        let client = try Self.client { _ in Self.envelope(rows) }
        let packages = try await client.installedPackages(computerID: 1)
        #expect(packages.mapValues(\.normalized) == ["chocolatey-agent": "3.0.0", "chocolatey": "2.4.3"])
    }

    // (Computers/GetAll's result, whether it is accepted)
    @Test(arguments: [
        (#"[{"id":1,"name":"ws-1","lastCheckInDateTime":"2026-11-20T10:00:00.1234567Z"}]"#, true),
        (#"{"totalCount":1,"items":[{"id":1,"name":"ws-1"}]}"#, true),
        (#"[{"id":"1","friendlyName":"ws-1"}]"#, true),  // an id as text, the name as friendlyName
        (#"[{"name":"ws-1"}]"#, false),
        (#"[{"id":1.5,"name":"ws-1"}]"#, false),
        (#"[{"id":1,"name":7}]"#, false),
        (#""computers""#, false),
        (#"{"items":"no"}"#, false),
        ("null", false),
    ])
    func computersShapes(result: String, accepted: Bool) async throws {
        let client = try Self.client { _ in Self.envelope(result) }
        do {
            let computers = try await client.computers()
            #expect(accepted, "accepted \(result)")
            #expect(computers.map(\.name) == ["ws-1"])
        } catch {
            #expect(!accepted, "\(error)")
            guard case .invalidResponse(let url, _, _) = error else { Issue.record("\(error)"); return }
            #expect(url.hasSuffix("Computers/GetAll"))
        }
    }

    @Test func pagingThatNeverEndsStopsWhenAPageIsEmptyOrTheTotalIsReached() async throws {
        // A server that claims a huge total but returns nothing after the first page.
        let calls = Counter()
        let client = try Self.client { path in
            _ = calls.next()
            return path.contains("skipCount") ? Self.envelope(#"{"totalCount":1000000000,"items":[]}"#)
                : Self.envelope(#"{"totalCount":1000000000,"items":[{"id":1,"name":"ws-1"}]}"#)
        }
        #expect(try await client.computers().count == 1)
        #expect(calls.value == 2)
    }

    @Test func summaryCountsLowestHighestNothingAndStale() throws {
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        func v(_ text: String) throws -> NuGetVersion { try NuGetVersion(parsing: text) }
        let estate = CCMEstate(groups: [
            CCMEstate.Group(id: 7, name: "Workstations", computers: [
                .init(id: 1, name: "a", lastCheckIn: now, packages: ["chocolatey-agent": try v("2.1.0")]),
                .init(id: 2, name: "b", lastCheckIn: now.addingTimeInterval(-31 * 86_400), packages: ["chocolatey-agent": try v("3.0.0")]),
                .init(id: 3, name: "c", lastCheckIn: nil, packages: ["firefox": try v("1.0.0")]),
            ])
        ])
        let summary = try #require(estate.summaries(packageIDs: ["chocolatey-agent"], staleAfterDays: 30, now: now).first)
        #expect(summary.lowest["chocolatey-agent"]?.normalized == "2.1.0")
        #expect(summary.highest["chocolatey-agent"]?.normalized == "3.0.0")
        #expect(summary.reportingNothing == ["c"])
        #expect(summary.notSeen == ["b", "c"])
        #expect(summary.isMixed)
    }
}
