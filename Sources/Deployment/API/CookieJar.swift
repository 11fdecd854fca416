import CurlSupport

/// The session cookies CCM sets. CCM's auth cookie name is undocumented, so every cookie is kept and
/// replayed (ccm.md §10.1). Values are never printed.
struct CookieJar: Sendable {
    private(set) var cookies: [(name: String, value: String)] = []

    var isEmpty: Bool { cookies.isEmpty }

    /// Applies every `Set-Cookie` header of a response: adds or replaces by name; an expired or
    /// `Max-Age=0` cookie is removed.
    mutating func absorb(_ response: HTTPResponse) {
        for (name, value) in response.headerLines where name == "set-cookie" {
            let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = parts.first, let equals = first.firstIndex(of: "=") else { continue }
            let cookieName = String(first[..<equals])
            let cookieValue = String(first[first.index(after: equals)...])
            let attributes = parts.dropFirst().map { $0.lowercased() }
            let expired = attributes.contains("max-age=0") || attributes.contains { $0.hasPrefix("expires=") && $0.contains("1970") }
            cookies.removeAll { $0.name == cookieName }
            if !expired, !cookieValue.isEmpty { cookies.append((cookieName, cookieValue)) }
        }
    }

    /// The `Cookie` header value, or nil when empty.
    var header: String? { cookies.isEmpty ? nil : cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }

    /// ABP's anti-forgery token (`XSRF-TOKEN`), echoed as `X-XSRF-TOKEN` on writes.
    var antiforgeryToken: String? { cookies.first { $0.name == "XSRF-TOKEN" }?.value }

    mutating func clear() { cookies = [] }
}
