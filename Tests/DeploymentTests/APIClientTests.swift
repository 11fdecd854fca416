import CurlSupport
import Foundation
@testable import Deployment
import Planning
import Testing

/// The API client against the TEST FAKE CCM (real HTTP over libcurl on 127.0.0.1).
@Suite("CCM API client against the fake CCM")
struct APIClientTests {
    func document(groups: GroupDirectory? = nil) throws -> DeploymentPlanDocument {
        var options = DeploymentOptions()
        options.groupIDs = groups
        options.targets = [try GroupTarget(parsing: "CCM Servers=host-agent")]
        return try DeploymentEmitter.emit(plan: Plans.full(), options: options)
    }

    /// Resolves names through the API, as `deployment push` does.
    func groupIDs(_ document: DeploymentPlanDocument, _ directory: GroupDirectory) throws -> [[(id: Int, name: String)]] {
        try document.deploymentSteps.map { step in try step.targetGroupNames.map { (try directory.require($0), $0) } }
    }

    @Test("push by steps: login, groups by name, plan, one step per endpoint with groups, Ready, Start, poll to Success")
    func pushSteps() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let directory = try await client.groups()
        #expect(directory.id(of: "workstations") == 7)
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
        #expect(id == 41)
        try await client.moveToReady(id)
        try await client.start(id)
        let status = try await client.wait(id, intervalSeconds: 0, maxPolls: 10)
        #expect(status.result == .success)
        #expect(status.state == .completed(.success))
        #expect(status.steps.count == 3)
        #expect(status.steps.allSatisfy { $0.result == .success })
        #expect(status.steps[0].computers?.map(\.name) == ["ccm-servers-1", "ccm-servers-2"])
        #expect(status.notes.isEmpty)
        #expect(status.text.contains("step 3 'Upgrade chocolatey-agent to 4.0.0 (group Workstations)': Success"))
        let requests = fake.requests
        #expect(requests.first == "POST /Account/Login user=ccmadmin")
        #expect(requests.contains { $0.hasPrefix("POST /api/services/app/DeploymentSteps/CreateOrEditPrivileged") && $0.contains(#""deploymentStepGroups":[{"groupId":3,"groupName":"CCM Servers"}]"#) && $0.contains(#""isPrivileged":true"#) })
        #expect(requests.contains { $0.hasPrefix("POST /api/services/app/DeploymentSteps/CreateOrEdit {") && $0.contains(#""script":"upgrade|chocolatey.extension|8.0.0|false""#) })
        #expect(requests.filter { $0.contains("/Account/Login") }.count == 1)
        #expect(!requests.joined().contains("correct horse"))
    }

    @Test("push by Import: the import JSON is posted as emitted and, read back, every step kept its groups")
    func pushImport() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document(groups: directory)
        let id = try await client.create(document, groups: [], method: .import)
        #expect(try await client.targets(of: id, expected: [1: [3], 2: [7], 3: [7]]).canStart)
        try await client.moveToReady(id)
        #expect(fake.requests.contains("POST /api/services/app/DeploymentPlans/Import {"))
        #expect(fake.requests.contains("  \"RequiresApproval\": false,"))
    }

    @Test("login failure: the status and CCM's message, no API call")
    func loginFailure() async throws {
        let fake = try FakeCCM()
        let client = try fake.client(password: "wrong")
        await #expect(throws: DeploymentError.loginFailed(url: fake.base + "/Account/Login", status: 500, message: "Login failed!")) {
            _ = try await client.groups()
        }
        #expect(fake.requests == ["POST /Account/Login user=ccmadmin"])
    }

    @Test("login failure answered 200 with success false is still a failure")
    func loginFailure200() async throws {
        let fake = try FakeCCM(["--login-failure-status", "200"])
        let client = try fake.client(password: "wrong")
        await #expect(throws: DeploymentError.loginFailed(url: fake.base + "/Account/Login", status: 200, message: "Login failed!")) {
            try await client.login()
        }
    }

    @Test("401 mid-run: one new login, then the run continues")
    func sessionExpiresMidRun() async throws {
        let fake = try FakeCCM(["--expire-after", "3"])
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
        try await client.moveToReady(id)
        try await client.start(id)
        let status = try await client.wait(id, intervalSeconds: 0, maxPolls: 10)
        #expect(status.result == .success)
        #expect(await client.logins > 1)
        #expect(fake.requests.filter { $0.contains("/Account/Login") }.count == (await client.logins))
    }

    @Test("401 even after a new login: unauthorized, naming the URL")
    func unauthorizedAfterRelogin() async throws {
        let fake = try FakeCCM(["--expire-after", "0"])
        let client = try fake.client()
        await #expect(throws: DeploymentError.unauthorized(url: fake.base + "/api/services/app/Groups/GetAll", status: 401)) {
            _ = try await client.groups()
        }
        #expect(await client.logins == 2)
    }

    @Test("group not found: the name and the groups CCM has")
    func groupNotFound() async throws {
        let fake = try FakeCCM(["--group", "All Computers=1", "--group", "Servers=2"])
        let directory = try await fake.client().groups()
        #expect(throws: DeploymentError.groupNotFound(name: "CCM Servers", known: ["All Computers", "Servers"], source: directory.source)) {
            _ = try groupIDs(try document(), directory)
        }
    }

    @Test("anti-forgery never required: a write without any XSRF cookie or header is accepted (no real client sends one)")
    func noAntiforgeryRequirement() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let id = try await client.create(DeploymentPlanDocument(name: "x"), groups: [], method: .steps)
        #expect(id == 41)
        #expect(!fake.requests.contains("GET /"))
    }

    @Test("ABP's anti-forgery filter (--antiforgery): a bare write gets a bodiless 400; the client echoes the cookie")
    func antiforgery() async throws {
        let fake = try FakeCCM(["--antiforgery"])
        let transport = CurlTransport()
        let login = try await transport.perform(HTTPRequest(method: .post, url: fake.base + "/Account/Login",
                                                            headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                            body: .bytes(Credentials(username: FakeCCM.user, password: Secret(FakeCCM.password)).formBody),
                                                            followRedirects: false))
        var jar = CookieJar()
        jar.absorb(login)
        let bare = try await transport.perform(HTTPRequest(method: .post, url: fake.base + "/api/services/app/DeploymentPlans/CreateOrEdit",
                                                           headers: [("Cookie", try #require(jar.header)), ("Content-Type", "application/json")],
                                                           body: .bytes(Array(#"{"name":"x"}"#.utf8)), followRedirects: false))
        #expect(bare.status == 400)
        #expect(bare.body.isEmpty)
        let client = try fake.client()
        let id = try await client.create(DeploymentPlanDocument(name: "x"), groups: [], method: .steps)
        #expect(id == 41)  // the refused write created nothing
        #expect(!fake.requests.contains("GET /"))
    }

    @Test("anti-forgery token issued late: the bodiless 400 makes the client load the site root once and repeat the write")
    func antiforgeryLate() async throws {
        let fake = try FakeCCM(["--antiforgery", "--xsrf-late"])
        let client = try fake.client()
        let id = try await client.create(DeploymentPlanDocument(name: "x"), groups: [], method: .steps)
        #expect(id == 41)
        let requests = fake.requests
        #expect(requests.filter { $0 == "GET /" }.count == 1)
        #expect(requests.filter { $0.hasPrefix("POST /api/services/app/DeploymentPlans/CreateOrEdit") }.count == 2)
    }

    static let outcomes: [(String, DeploymentResult)] = [("Failed", .failed), ("Unreachable", .unreachable), ("Inconclusive", .inconclusive)]

    @Test("plans that end badly: the result, the failing step and computer", arguments: outcomes)
    func badEnd(_ row: (String, DeploymentResult)) async throws {
        let fake = try FakeCCM(["--outcome", row.0])
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
        try await client.moveToReady(id)
        try await client.start(id)
        let status = try await client.wait(id, intervalSeconds: 0, maxPolls: 20, inconclusivePolls: 2)
        #expect(status.result == row.1)
        #expect(status.state == .completed(row.1))
        let last = try #require(status.steps.last)
        #expect(last.result == row.1)
        #expect(last.computers?.first?.result == row.1)
        if row.1 == .failed { #expect(last.computers?.first?.exitCode == 1603) }
        #expect(status.steps.first?.result == .success)
    }

    @Test("Inconclusive is not final too early: a retry that turns Success is waited for")
    func inconclusiveThenSuccess() async throws {
        let fake = try FakeCCM(["--outcome", "Inconclusive-then-Success"])
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
        try await client.moveToReady(id)
        try await client.start(id)
        let status = try await client.wait(id, intervalSeconds: 0, maxPolls: 20, inconclusivePolls: 3)
        #expect(status.result == .success)
    }

    @Test("a dropped connection while waiting is retried at the next poll; too many in a row end the wait")
    func droppedPolls() async throws {
        for (drops, succeeds) in [([2], true), ([1, 2, 3], false)] {
            let fake = try FakeCCM(drops.flatMap { ["--drop-poll", String($0)] })
            // No HTTP-level retries here: this checks the poll loop's own tolerance (the client would
            // otherwise absorb each drop by resending the GET).
            let client = try fake.client(retry: .none)
            let directory = try await client.groups()
            let document = try document()
            let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
            try await client.moveToReady(id)
            try await client.start(id)
            do {
                let status = try await client.wait(id, intervalSeconds: 0, maxPolls: 10, transportFailures: 2)
                #expect(succeeds)
                #expect(status.result == .success)
            } catch {
                #expect(!succeeds)
                guard case .transport = error else { Issue.record("wrong error \(error)"); continue }
            }
        }
    }

    @Test("waiting gives up after the poll budget, naming the plan and state")
    func waitExhausted() async throws {
        let fake = try FakeCCM()
        let client = try fake.client()
        let directory = try await client.groups()
        let document = try document()
        let id = try await client.create(document, groups: try groupIDs(document, directory), method: .steps)
        try await client.moveToReady(id)
        await #expect(throws: DeploymentError.waitExhausted(planID: id, polls: 2, lastState: "Ready")) {
            _ = try await client.wait(id, intervalSeconds: 0, maxPolls: 2)
        }
    }

    static let refusedURLs = ["http://ccm.example.com", "ftp://ccm", "https://user:pw@ccm.example.com", "not a url", "HTTP://ccm.example.com:80/"]

    @Test("only https (plain http only to this machine), no credentials in the URL", arguments: refusedURLs)
    func refusedURL(_ url: String) {
        #expect(throws: (any Error).self) {
            _ = try CCMClient(baseURL: url, credentials: Credentials(username: "u", password: Secret("p")))
        }
    }

    @Test("http:// to another machine only with the explicit opt-in (CCM before 0.17.0), and the client says it is clear text")
    func plainHTTPOptIn() throws {
        let credentials = Credentials(username: "u", password: Secret("p"))
        let error = #expect(throws: DeploymentError.self) { _ = try CCMClient(baseURL: "http://ccm.example.com", credentials: credentials) }
        #expect(error?.description.contains("--allow-http") == true)
        let allowed = try CCMClient(baseURL: "http://ccm.example.com", credentials: credentials, options: CCMConnectionOptions(allowPlainHTTP: true))
        #expect(allowed.isPlainHTTP)
        #expect(try !CCMClient(baseURL: "https://ccm.example.com", credentials: credentials).isPlainHTTP)
        #expect(try !CCMClient(baseURL: "http://127.0.0.1:8080", credentials: credentials).isPlainHTTP)
    }

    @Test("credentials never print their password; the form encodes reserved characters")
    func credentials() {
        let credentials = Credentials(username: "admin@corp", password: Secret("p&ss=w rd%"))
        #expect(!"\(credentials)".contains("p&ss"))
        #expect(String(decoding: credentials.formBody, as: UTF8.self) == "usernameOrEmailAddress=admin%40corp&password=p%26ss%3Dw+rd%25")
    }

    @Test("cookies: several Set-Cookie lines kept, replaced by name, removed when expired")
    func cookies() {
        var jar = CookieJar()
        jar.absorb(HTTPResponse(status: 200, headerLines: [("set-cookie", "a=1; path=/"), ("set-cookie", "XSRF-TOKEN=t; path=/")], effectiveURL: "x"))
        #expect(jar.header == "a=1; XSRF-TOKEN=t")
        #expect(jar.antiforgeryToken == "t")
        jar.absorb(HTTPResponse(status: 200, headerLines: [("set-cookie", "a=2"), ("set-cookie", "XSRF-TOKEN=; Max-Age=0")], effectiveURL: "x"))
        #expect(jar.header == "a=2")
    }

    @Test("result codes by number and by name; plan states")
    func results() {
        #expect(DeploymentResult(json: .number(8)) == .failed)
        #expect(DeploymentResult(json: .string("Unreachable")) == .unreachable)
        #expect(DeploymentResult(json: .number(11)) == nil)
        #expect(PlanState(result: .pending, isArchived: false) == .ready)
        #expect(PlanState(result: .success, isArchived: true) == .archived)
        #expect(PlanState(result: .draft, isArchived: false).description == "Draft")
    }
}

/// TLS against the fake with a throw-away CA made by openssl: trusted only through --ca-bundle, never by
/// turning verification off.
@Suite("CCM API client over TLS")
struct TLSTests {
    /// A CA and a server certificate for 127.0.0.1 in a temporary folder.
    static func certificates() throws -> (folder: String, ca: String, cert: String, key: String) {
        let folder = NSTemporaryDirectory() + "fake-ccm-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n".write(toFile: folder + "/ext.cnf", atomically: true, encoding: .utf8)
        let commands = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ccm-upgrade test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"],
        ]
        for arguments in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw FakeError(message: "openssl \(arguments[0]) failed") }
        }
        return (folder, folder + "/ca.pem", folder + "/server.pem", folder + "/server.key")
    }

    @Test("a private CA is trusted through the CA bundle; without it the certificate is refused")
    func customCA() async throws {
        let tls = try Self.certificates()
        defer { try? FileManager.default.removeItem(atPath: tls.folder) }
        let fake = try FakeCCM(tls: (tls.cert, tls.key))
        #expect(fake.base.hasPrefix("https://"))
        let trusted = try fake.client(caBundle: tls.ca)
        #expect(try await trusted.groups().id(of: "Workstations") == 7)

        let untrusted = try fake.client()
        do {
            try await untrusted.login()
            Issue.record("an unknown CA was accepted")
        } catch {
            guard case let .transport(_, message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(message.lowercased().contains("certificate"))
        }
    }
}
