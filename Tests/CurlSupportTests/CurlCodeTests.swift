import CurlSupport
import Testing

@Suite("curl result codes and transport errors")
struct CurlCodeTests {
    // (code, number in curl's documentation, name, transient, failed before sending)
    static let codes: [(CurlCode, Int, String, Bool, Bool)] = [
        (.couldntResolveHost, 6, "couldn't resolve host", false, true),
        (.couldntConnect, 7, "couldn't connect", true, true),
        (.operationTimedOut, 28, "operation timed out", true, false),
        (.sslConnectError, 35, "SSL connect error", true, false),
        (.recvError, 56, "receive error", true, false),
        (.gotNothing, 52, "empty reply from server", true, false),
        (.peerFailedVerification, 60, "server certificate not trusted", false, false),
        (.malformedURL, 3, "malformed URL", false, false),
        (CurlCode(rawValue: 99), 99, "curl error 99", false, false),
    ]

    @Test(arguments: codes)
    func readable(_ row: (CurlCode, Int, String, Bool, Bool)) {
        let (code, number, name, transient, beforeSending) = row
        #expect(code.rawValue == number)
        #expect(code.name == name)
        #expect(code.description == "\(name) (curl \(number))")
        #expect(code.isTransient == transient)
        #expect(code.failedBeforeSending == beforeSending)
    }

    @Test("an error names its URL once; its reason leaves the URL out")
    func urlOnce() {
        let error = HTTPError.transport(url: "http://feed.example/x", code: .couldntConnect, message: "Failed to connect")
        #expect(error.description == "http://feed.example/x: network error, couldn't connect (curl 7): Failed to connect")
        #expect(!error.reason.contains("feed.example"))
        #expect(error.isTransient && error.failedBeforeSending)
        #expect(!HTTPError.cancelled(url: "u").isTransient)
    }

    // (body, expected excerpt)
    static let bodies: [(String, String)] = [
        ("", ""),
        ("plain text\r\n  error", "plain text error"),
        ("<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head><body><h1>502 Bad Gateway</h1>\n<p>nginx &amp; co</p></body></html>",
         "502 Bad Gateway nginx & co"),
        (String(repeating: "word ", count: 100), String(repeating: "word ", count: 32).trimmingCharacters(in: .whitespaces) + "…"),
    ]

    @Test("error bodies become one short line: markup stripped, whitespace folded, about 160 characters", arguments: bodies)
    func excerpt(_ row: (String, String)) {
        #expect(HTTPResponse.excerpt(Array(row.0.utf8)) == row.1)
    }
}
