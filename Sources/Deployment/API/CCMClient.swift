import CurlSupport
import Foundation
import Logging

/// The CCM account is CurlSupport's ``Credentials`` (the password a ``Secret``: never printed, masked in
/// every line the tool writes); this is how CCM's login form carries it.
extension Credentials {
    /// `usernameOrEmailAddress=…&password=…`, form-encoded, for `Account/Login`.
    var formBody: [UInt8] {
        Array("usernameOrEmailAddress=\(Self.formEncode(username))&password=\(Self.formEncode(password.value))".utf8)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.unicodeScalars.map { scalar in
            if scalar == " " { return "+" }
            if scalar.isASCII, allowed.contains(scalar) { return String(scalar) }
            return String(scalar).utf8.map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }
}

/// A logged-in session with the CCM website's REST API (ccm.md §10): cookie login, the ABP envelope,
/// one new login when CCM answers 401 mid-run (sessions expire, and "one login per user" ends them).
///
/// Requests go through CurlSupport's ``HTTPClient`` (retries of transient failures, never a resent POST
/// that may have reached CCM; cancellation of the awaiting task aborts the transfer). This type keeps
/// only cookies, the XSRF token and CCM's envelope.
public actor CCMClient {
    /// The website root, e.g. `https://ccm.example.com` (no trailing slash).
    public nonisolated let baseURL: String
    /// The address is `http://` to another machine (allowed only with ``CCMConnectionOptions/allowPlainHTTP``):
    /// the login form crosses the network in clear text.
    public nonisolated let isPlainHTTP: Bool
    private let credentials: Credentials
    private let http: HTTPClient
    private let options: CCMConnectionOptions
    private var jar = CookieJar()
    private var loggedIn = false
    /// Number of logins so far (tests check the re-login).
    public private(set) var logins = 0

    /// - Parameters:
    ///   - transport: libcurl by default; tests pass an in-process fake.
    ///   - logger: requests at `.debug`, retries at `.notice` (never bodies: the login form holds the password).
    /// - Throws: ``DeploymentError/invalidURL(url:problem:)`` unless `baseURL` is https (plain http only to
    ///   this machine, for tests and tunnels, or with ``CCMConnectionOptions/allowPlainHTTP``).
    public init(
        baseURL: String, credentials: Credentials, options: CCMConnectionOptions = CCMConnectionOptions(),
        retry: RetryPolicy = .ccm, logger: Logger = HTTPClient.silent, transport: (any HTTPTransport)? = nil
    ) throws(DeploymentError) {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty else {
            throw .invalidURL(url: baseURL, problem: "expected the CCM website address, e.g. https://ccm.example.com")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidURL(url: "(address with credentials)", problem: "credentials do not belong in the URL; use CCM_USERNAME and CCM_PASSWORD")
        }
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
        // Plain http: on this machine (tests, SSH tunnels), or with the explicit opt-in for CCM before 0.17.0,
        // whose website is served over http on port 80 by default (ccm.md §4.3); the caller warns.
        guard scheme == "https" || (scheme == "http" && (loopback || options.allowPlainHTTP)) else {
            throw .invalidURL(url: baseURL, problem: scheme == "http"
                ? "the password would travel in clear text; use https:// (CCM 0.17.0 requires SSL), or pass --allow-http for a CCM before 0.17.0 served only over http"
                : "expected an https:// address of the CCM website")
        }
        self.baseURL = base
        isPlainHTTP = scheme == "http" && !loopback
        self.credentials = credentials
        self.options = options
        http = HTTPClient(transport: transport ?? CurlTransport(options: options.transportOptions), retry: retry, logger: logger)
    }

    /// `POST /Account/Login` with the form fields CCM's clients use. Success: a 2xx (or a redirect away
    /// from the login page) that set a cookie and is not an ABP error envelope.
    public func login() async throws(DeploymentError) {
        let url = baseURL + "/Account/Login"
        jar.clear()
        loggedIn = false
        let response = try await exchange(.post, url: url,
                                          headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                          body: credentials.formBody)
        jar.absorb(response)
        logins += 1
        let envelope = try? JSONValue.parse(Data(response.body))
        let redirectedToLogin = (300..<400).contains(response.status) && (response.header("location") ?? "").lowercased().contains("/account/login")
        let ok = ((200..<300).contains(response.status) || ((300..<400).contains(response.status) && !redirectedToLogin))
            && envelope?["success"]?.bool != false && !jar.isEmpty
        guard ok else {
            let message = Self.errorMessage(envelope) ?? (jar.isEmpty && (200..<300).contains(response.status) ? "no session cookie was set" : "the credentials were refused")
            throw .loginFailed(url: url, status: response.status, message: message)
        }
        loggedIn = true
    }

    /// Calls `/api/services/app/<path>` and returns the envelope's `result` (`.null` when absent).
    /// Logs in first when needed, and once more on a 401. Writes carry `X-XSRF-TOKEN` when CCM has set the
    /// `XSRF-TOKEN` cookie (never required: see ``isAntiforgeryRejection(_:method:)``).
    public func call(_ method: HTTPMethod, _ path: String, json body: String? = nil) async throws(DeploymentError) -> JSONValue {
        if !loggedIn { try await login() }
        let url = baseURL + "/api/services/app/" + path
        var response = try await send(method, url: url, body: body)
        if Self.isAntiforgeryRejection(response, method: method) {
            // ABP refuses a write whose X-XSRF-TOKEN header does not echo the XSRF-TOKEN cookie with ASP.NET
            // Core's AntiforgeryValidationFailedResult: a 400 without a body, before the action runs, so the
            // write did nothing [ABP AbpValidateAntiforgeryTokenAuthorizationFilter]. No known client sends
            // the header [M1; M2], so CCM may never ask for it; when it does, load the site root once (ABP
            // sets the cookie on page loads) and repeat the write with the fresh token.
            jar.absorb(try await exchange(.get, url: baseURL + "/", headers: jar.header.map { [("Cookie", $0)] } ?? []))
            response = try await send(method, url: url, body: body)
            if Self.isAntiforgeryRejection(response, method: method) {
                throw .apiError(url: url, status: 400, message: "a 400 without a body, twice: the shape of ASP.NET Core's anti-forgery rejection"
                                + (jar.antiforgeryToken == nil ? " (CCM set no XSRF-TOKEN cookie to echo)" : " (the X-XSRF-TOKEN header was sent)")
                                + "; check that nothing between this tool and CCM (a proxy, a WAF) strips cookies or headers")
            }
        }
        if Self.isUnauthorized(response) {
            try await login()
            response = try await send(method, url: url, body: body)
            if Self.isUnauthorized(response) { throw .unauthorized(url: url, status: response.status) }
        }
        let envelope = try? JSONValue.parse(Data(response.body))
        guard (200..<300).contains(response.status), envelope?["success"]?.bool != false else {
            throw .apiError(url: url, status: response.status,
                            message: Self.errorMessage(envelope) ?? Self.excerpt(response))
        }
        guard let envelope else {
            if response.body.isEmpty { return .null }
            throw .invalidResponse(url: url, field: "body", expected: "should be JSON (ABP envelope with 'result')")
        }
        return envelope["result"] ?? .null
    }

    private func send(_ method: HTTPMethod, url: String, body: String?) async throws(DeploymentError) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let cookie = jar.header { headers.append(("Cookie", cookie)) }
        if method != .get, let token = jar.antiforgeryToken { headers.append(("X-XSRF-TOKEN", token)) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await exchange(method, url: url, headers: headers, body: body.map { Array($0.utf8) })
        jar.absorb(response)
        return response
    }

    /// One request through the HTTP client: no redirects (a redirect to the login page means the session
    /// ended), the body in memory, errors as ``DeploymentError``.
    private func exchange(_ method: HTTPMethod, url: String, headers: [(name: String, value: String)],
                          body: [UInt8]? = nil) async throws(DeploymentError) -> HTTPResponse {
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body.map { .bytes($0) } ?? .none,
                                  destination: .memory(limit: Self.responseLimit), timeout: options.requestTimeout,
                                  followRedirects: false)
        if method == .post, body == nil { request.body = .bytes([]) }
        do { return try await http.send(request) } catch { throw DeploymentError(error) }
    }

    /// CCM's largest answers (all plans, all computers of a step) stay far below this.
    static let responseLimit = 64 << 20

    /// A short excerpt of a non-envelope answer (often an HTML error page from IIS or a proxy).
    static func excerpt(_ response: HTTPResponse) -> String {
        let text = response.bodySnippet
        return text.isEmpty ? "no body" : text
    }

    /// A write refused with an empty 400: what ASP.NET Core's anti-forgery filter answers (no envelope, no
    /// text); CCM's own API errors come in an ABP envelope.
    static func isAntiforgeryRejection(_ response: HTTPResponse, method: HTTPMethod) -> Bool {
        method != .get && response.status == 400 && response.body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    static func isUnauthorized(_ response: HTTPResponse) -> Bool {
        if response.status == 401 { return true }
        if (300..<400).contains(response.status), (response.header("location") ?? "").lowercased().contains("/account/login") { return true }
        if let envelope = try? JSONValue.parse(Data(response.body)), envelope["unAuthorizedRequest"]?.bool == true { return true }
        return false
    }

    /// `error.message` and `error.details` of an ABP envelope.
    static func errorMessage(_ envelope: JSONValue?) -> String? {
        guard let error = envelope?["error"] else { return nil }
        let parts = [error["message"]?.string, error["details"]?.string].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: ": ")
    }
}
