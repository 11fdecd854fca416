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
    ///   this machine, for tests and tunnels).
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
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw .invalidURL(url: baseURL, problem: "the password would travel in clear text; use https:// (CCM 0.17.0 requires SSL anyway), with --ca-bundle for a private CA")
        }
        self.baseURL = base
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
    /// Logs in first when needed, and once more on a 401.
    public func call(_ method: HTTPMethod, _ path: String, json body: String? = nil) async throws(DeploymentError) -> JSONValue {
        if !loggedIn { try await login() }
        let url = baseURL + "/api/services/app/" + path
        var response = try await send(method, url: url, body: body)
        if Self.isAntiforgeryRejection(response, method: method) {
            // ABP issues XSRF-TOKEN on page loads; without it a cookie-authenticated write is refused.
            // Load the site root once to get the cookie, then retry (ccm.md §10.1, defensive).
            jar.absorb(try await exchange(.get, url: baseURL + "/", headers: jar.header.map { [("Cookie", $0)] } ?? []))
            response = try await send(method, url: url, body: body)
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

    static func isAntiforgeryRejection(_ response: HTTPResponse, method: HTTPMethod) -> Bool {
        method != .get && response.status == 400 && String(decoding: response.body.prefix(2000), as: UTF8.self).lowercased().contains("antiforgery")
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
