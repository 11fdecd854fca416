import CurlSupport
@testable import Deployment
import Foundation
import Testing
import TestSupport

/// The CCM client's own logic (login, re-login, XSRF, envelope, retries, cancellation) against a scripted
/// in-process transport; `APIClientTests` covers the same over real HTTP against the Python fake.
@Suite("CCM client through an in-process transport")
struct CCMClientInProcessTests {
    static let base = "https://ccm.test"
    static let quick = RetryPolicy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.002, maxRetryAfter: 1, retryStatuses: [429, 502, 503, 504])

    static func client(_ transport: FakeTransport) throws -> CCMClient {
        try CCMClient(baseURL: base, credentials: Credentials(username: "admin", password: Secret("secret&pw")), retry: quick, transport: transport)
    }

    // (what, how the first Groups/GetAll answers)
    static let expiries: [(String, @Sendable (HTTPRequest) -> HTTPResponse)] = [
        ("401", { response($0, 401) }),
        ("a redirect to the login page", { response($0, 302, headers: [("location", "/Account/Login?ReturnUrl=%2F")]) }),
        ("ABP's unAuthorizedRequest envelope", { response($0, 200, #"{"success":false,"unAuthorizedRequest":true}"#) }),
    ]

    @Test("an expired session logs in once more and repeats the call", arguments: expiries)
    func reLogin(_ row: (String, @Sendable (HTTPRequest) -> HTTPResponse)) async throws {
        let logins = Counter()
        let transport = FakeTransport { request, number throws(HTTPError) in
            if path(request) == "/Account/Login" { return login(request, session: logins.next()) }
            // The first session expires at its first call; the second works.
            return header("Cookie", request)?.contains("Identity=s1") == true ? row.1(request) : response(request, 200, groupsBody)
        }
        let client = try Self.client(transport)
        #expect(try await client.groups().id(of: "Workstations") == 7, "\(row.0)")
        #expect(await client.logins == 2, "\(row.0)")
        #expect(transport.requests.map { "\($0.method.rawValue) \(path(HTTPRequest(url: $0.url)))" } == [
            "POST /Account/Login", "GET /api/services/app/Groups/GetAll", "POST /Account/Login", "GET /api/services/app/Groups/GetAll",
        ], "\(row.0)")
    }

    @Test("refused again after the new login: unauthorized, naming the permission")
    func stillUnauthorized() async throws {
        let logins = Counter()
        let transport = FakeTransport { request, _ throws(HTTPError) in
            path(request) == "/Account/Login" ? login(request, session: logins.next()) : response(request, 401)
        }
        let client = try Self.client(transport)
        let error = await #expect(throws: DeploymentError.self) { _ = try await client.groups() }
        #expect(error == .unauthorized(url: Self.base + "/api/services/app/Groups/GetAll", status: 401))
        #expect(error?.description.contains("permission") == true)
        #expect(transport.requests.count == 4)
    }

    @Test("writes echo the XSRF cookie; a bodiless 400 (ASP.NET Core's anti-forgery rejection) loads the site root and repeats the write once")
    func antiforgery() async throws {
        let transport = FakeTransport { request, _ throws(HTTPError) in
            switch path(request) {
            case "/Account/Login":
                return response(request, 200, #"{"success":true}"#, headers: [("set-cookie", "Identity=s1; path=/")])
            case "/":
                return response(request, 200, "<html></html>", headers: [("set-cookie", "XSRF-TOKEN=late; path=/")])
            default:
                guard header("X-XSRF-TOKEN", request) == "late" else { return response(request, 400) }
                return response(request, 200, #"{"success":true,"result":null}"#)
            }
        }
        let client = try Self.client(transport)
        try await client.moveToReady(41)
        let trail = transport.requests.map { "\($0.method.rawValue) \(path(HTTPRequest(url: $0.url)))" }
        #expect(trail == ["POST /Account/Login", "POST /api/services/app/DeploymentPlans/MoveToReady", "GET /",
                          "POST /api/services/app/DeploymentPlans/MoveToReady"])
        #expect(transport.requests.last.map { header("X-XSRF-TOKEN", HTTPRequest(url: $0.url, headers: $0.headers)) } == "late")
        #expect(transport.requests[1].headers.contains { $0.name == "Cookie" && $0.value == "Identity=s1" })
    }

    // (what, the write's answers in turn, expected error text or nil for success, writes sent)
    static let rejections: [(String, [(Int, String)], String?, Int)] = [
        ("no XSRF cookie at all: nothing sent, nothing required", [(200, #"{"success":true,"result":null}"#)], nil, 1),
        ("an ABP error envelope with 400 is CCM's answer, not retried", [(400, #"{"success":false,"error":{"message":"Step has no script"}}"#)], "Step has no script", 1),
        ("a body that mentions antiforgery is not the filter's shape", [(400, "antiforgery token missing")], "antiforgery token missing", 1),
        ("bodiless 400 twice: explained, not looped", [(400, ""), (400, "")], "a 400 without a body, twice", 2),
    ]

    @Test("anti-forgery: the header only when CCM set the cookie; only a bodiless 400 is treated as its rejection", arguments: rejections)
    func antiforgeryShapes(_ row: (String, [(Int, String)], String?, Int)) async throws {
        let writes = Counter()
        let transport = FakeTransport { request, _ throws(HTTPError) in
            switch path(request) {
            case "/Account/Login": return response(request, 200, #"{"success":true}"#, headers: [("set-cookie", "Identity=s1; path=/")])
            case "/": return response(request, 200, "<html></html>")
            default:
                let answer = row.1[min(writes.next(), row.1.count) - 1]
                return response(request, answer.0, answer.1)
            }
        }
        let client = try Self.client(transport)
        do {
            try await client.moveToReady(41)
            #expect(row.2 == nil, "\(row.0): accepted")
        } catch {
            #expect(row.2.map { error.description.contains($0) } == true, "\(row.0): \(error)")
        }
        #expect(writes.value == row.3, "\(row.0)")
        #expect(!transport.requests.contains { $0.headers.contains { $0.name == "X-XSRF-TOKEN" } }, "\(row.0)")
    }

    @Test("after the start, a refused step or computer list makes that part unknown with a note; the plan's result still reads")
    func refusedListsAreUnknown() async throws {
        let transport = FakeTransport { request, _ throws(HTTPError) in
            let target = path(request)
            if target == "/Account/Login" { return login(request, session: 1) }
            if target.contains("DeploymentPlans/GetAllPaged") {
                return response(request, 200, #"{"success":true,"result":{"items":[{"id":41,"name":"p","result":5}]}}"#)
            }
            if target.contains("GetAllPagedByDeploymentPlanId") {
                return response(request, 200, #"{"success":true,"result":{"items":[{"id":500,"planOrder":1,"result":5},{"planOrder":2}]}}"#)
            }
            return response(request, 500, #"{"success":false,"error":{"message":"An internal error occurred."}}"#)
        }
        let status = try await Self.client(transport).status(41)
        #expect(status.state == .active)
        #expect(status.steps.map(\.result) == [.active, .unknown])
        #expect(status.steps.allSatisfy { $0.computers == nil })
        #expect(status.notes.count == 2)
        #expect(status.notes[0].hasPrefix("step 1: computers unknown: \(Self.base)/api/services/app/DeploymentStepComputers/GetAllByDeploymentStepId?deploymentStepId=500 answered HTTP 500"))
        #expect(status.notes[1] == "step 2: CCM's step list gave no 'id', so its computers are unknown")
    }

    // (what, failure of the write, number of times the write is sent)
    static let writeFailures: [(String, CurlCode, Int)] = [
        ("refused connection: nothing was sent, retried", .couldntConnect, 2),
        ("reset after sending: CCM may have acted, not resent", .recvError, 1),
        ("timeout after sending: not resent", .operationTimedOut, 1),
    ]

    @Test("a POST is resent only when it cannot have reached CCM", arguments: writeFailures)
    func postRetries(_ row: (String, CurlCode, Int)) async throws {
        let writes = Counter()
        let transport = FakeTransport { request, _ throws(HTTPError) in
            if path(request) == "/Account/Login" { return login(request, session: 1) }
            if writes.next() == 1 { throw .transport(url: request.url, code: row.1, message: "scripted") }
            return response(request, 200, #"{"success":true,"result":null}"#)
        }
        let client = try Self.client(transport)
        do {
            try await client.start(41)
            #expect(row.2 == 2, "\(row.0): succeeded without a retry")
        } catch {
            guard case let .transport(url, message) = error else { Issue.record("\(row.0): got \(error)"); return }
            #expect(url.hasSuffix("/DeploymentPlans/Start"))
            #expect(message.hasPrefix(row.1.description))
        }
        #expect(transport.requests.filter { $0.url.hasSuffix("/Start") }.count == row.2, "\(row.0)")
    }

    @Test("reads are retried on 502/503/504 and resets; CCM's 500 error envelope is reported, not retried")
    func getRetries() async throws {
        let calls = Counter()
        let transport = FakeTransport { request, _ throws(HTTPError) in
            if path(request) == "/Account/Login" { return login(request, session: 1) }
            switch calls.next() {
            case 1: return response(request, 503, "<html><body><h1>Service Unavailable</h1></body></html>")
            case 2: throw .transport(url: request.url, code: .recvError, message: "Connection reset by peer")
            case 3: return response(request, 200, groupsBody)
            default: return response(request, 500, #"{"success":false,"error":{"message":"An internal error occurred."}}"#)
            }
        }
        let client = try Self.client(transport)
        #expect(try await client.groups().id(of: "Workstations") == 7)
        await #expect(throws: DeploymentError.apiError(url: Self.base + "/api/services/app/Groups/GetAll", status: 500,
                                                       message: "An internal error occurred.")) { _ = try await client.groups() }
        #expect(calls.value == 4)
    }

    @Test("an HTML error page is reported as its status and a short excerpt")
    func htmlErrorPage() async throws {
        let page = "<!DOCTYPE html><html><head><title>IIS</title><style>body{}</style></head><body>\n<h2>HTTP Error 404.0 - Not Found</h2>\n"
            + String(repeating: "<p>The resource you are looking for has been removed.</p>\n", count: 20) + "</body></html>"
        let transport = FakeTransport { request, _ throws(HTTPError) in
            path(request) == "/Account/Login" ? login(request, session: 1) : response(request, 404, page)
        }
        let client = try Self.client(transport)
        do {
            _ = try await client.groups()
            Issue.record("accepted")
        } catch {
            guard case let .apiError(_, status, message) = error else { Issue.record("got \(error)"); return }
            #expect(status == 404)
            #expect(message.hasPrefix("HTTP Error 404.0 - Not Found The resource"))
            #expect(message.count <= 161 && message.hasSuffix("…"))
            #expect(!message.contains("<"))
        }
    }

    @Test("cancelling the awaiting task ends a call promptly with 'cancelled'")
    func cancellation() async throws {
        let transport = FakeTransport { request, _ throws(HTTPError) in
            if path(request) == "/Account/Login" { return login(request, session: 1) }
            return try await FakeTransport.Outcome.hang.answer(request)
        }
        let client = try Self.client(transport)
        let task = Task { () async -> DeploymentError? in
            do throws(DeploymentError) { _ = try await client.groups(); return nil } catch { return error }
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        task.cancel()
        #expect(await task.value == .cancelled(url: Self.base + "/api/services/app/Groups/GetAll"))
    }

    @Test("the login form carries the password; the log never does")
    func passwordStaysOutOfTheLog() async throws {
        let lines = RecordingLogHandler.Lines()
        let transport = FakeTransport(script: [.fail(.couldntConnect), .status(401)])
        let client = try CCMClient(baseURL: Self.base, credentials: Credentials(username: "admin", password: Secret("secret&pw")),
                                   retry: Self.quick, logger: RecordingLogHandler.logger(lines), transport: transport)
        await #expect(throws: DeploymentError.self) { try await client.login() }
        #expect(!lines.all.isEmpty)
        #expect(!lines.all.contains { $0.text.contains("secret") })
    }
}

// MARK: Scripted CCM answers

private func response(_ request: HTTPRequest, _ status: Int, _ body: String = "", headers: [(name: String, value: String)] = []) -> HTTPResponse {
    HTTPResponse(status: status, headerLines: headers, body: Array(body.utf8), effectiveURL: request.url)
}

/// A login that sets a session cookie numbered by the login count, and the XSRF cookie.
private func login(_ request: HTTPRequest, session: Int) -> HTTPResponse {
    response(request, 200, #"{"success":true}"#,
             headers: [("set-cookie", "Identity=s\(session); path=/; HttpOnly"), ("set-cookie", "XSRF-TOKEN=x\(session); path=/")])
}

private let groupsBody = #"{"success":true,"result":{"items":[{"id":7,"name":"Workstations"}]}}"#

private func path(_ request: HTTPRequest) -> String { String(request.url.dropFirst(CCMClientInProcessTests.base.count)) }
private func header(_ name: String, _ request: HTTPRequest) -> String? { request.headers.first { $0.name == name }?.value }

/// A thread-safe counter for scripted handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
