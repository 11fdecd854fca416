import Foundation
import Testing
@testable import Repository

/// A broken feeds.json names the file, the line and the field (issue 11: it used to say only "The data
/// isn't in the correct format").
@Suite("feeds.json errors")
struct FeedConfigErrorTests {
    static let broken: [(name: String, json: String, message: String)] = [
        ("missing comma", "{\n  \"network\": {\n    \"retries\": 3\n    \"jobs\": 2\n  }\n}\n",
         "feeds.json:4:5: not valid JSON: expected ',' or '}' after the value of \"retries\""),
        ("trailing comma", "{\n  \"sources\": {},\n}\n", "feeds.json:3:1: not valid JSON: a comma before } (JSON allows no trailing comma)"),
        ("unclosed string", "{\"sources\": {\"a\": {\"url\": \"http://h/\n}}}", "feeds.json:1:37: not valid JSON: the string is not closed on this line (a \" is missing)"),
        ("single quotes", "{'sources': {}}", "feeds.json:1:2: not valid JSON: expected a key in double quotes"),
        ("Windows path", "{\"sources\": {\"s\": {\"url\": \"C:\\share\"}}}",
         "feeds.json:1:30: not valid JSON: unknown escape \\s in a string (write \\\\ for a backslash, e.g. in Windows paths)"),
        ("empty", "  \n", "feeds.json:1:1: not valid JSON: the file is empty; write {} for no settings"),
        ("two objects", "{}\n{}", "feeds.json:2:1: not valid JSON: unexpected text after the closing brace (a stray character or a second object?)"),
        ("number as string", "{\n  \"network\": {\n    \"proxy\": \"http://p:3128\",\n    \"retries\": \"3\"\n  }\n}",
         "feeds.json:4: 'network.retries' must be a whole number, not a string"),
        ("flag as string", "{\"network\": {\n\"insecureSkipTLSVerify\": \"yes\"}}",
         "feeds.json:2: 'network.insecureSkipTLSVerify' must be true or false, not a string"),
        ("url missing", "{\n  \"sources\": {\n    \"internal\": {\n      \"pushUrl\": \"http://h/\"\n    }\n  }\n}",
         "feeds.json:3: 'sources.internal' needs 'url'"),
        ("url null", "{\"sources\": {\n \"internal\": {\n  \"url\": null}}}", "feeds.json:3: 'sources.internal.url' must be a string in double quotes, not null"),
        ("sources as list", "{\n\"sources\": [\"http://h/\"]}", "feeds.json:2: 'sources' must be an object { … }, not a list"),
        // Numbers are range-checked before use (`retries + 1` on Int.max crashed with SIGILL).
        ("retries Int.max", "{\"network\": {\n  \"retries\": 9223372036854775807\n}}",
         "feeds.json:2: 'network.retries': 9223372036854775807 is out of range: expected 0 to 20 retries"),
        ("negative jobs", "{\"network\": {\"proxy\": \"http://p/\",\n\n  \"jobs\": -3}}",
         "feeds.json:3: 'network.jobs': -3 is out of range: expected 1 to 32 transfers"),
        ("zero minimum speed", "{\"network\": {\n\"minimumSpeed\": 0}}",
         "feeds.json:2: 'network.minimumSpeed': 0 is out of range: expected 1 to 1073741824 bytes per second"),
        ("huge retry budget", "{\"network\": {\n\"retryBudget\": 999999}}",
         "feeds.json:2: 'network.retryBudget': 999999 is out of range: expected 0 to 86400 seconds"),
        // Found by scripts/fuzz.sh (feeds target): a backslash as the last byte looped forever.
        ("ends after a backslash", "{\"sources\": {\"a\\", "feeds.json:1:16: not valid JSON: the file ends inside a string (a \" is missing)"),
    ]

    @Test func limitsAreReadFromTheNetworkObject() throws {
        let json = "{\"network\": {\"minimumSpeed\": 2048, \"transferTimeout\": 900, \"maxRetryAfter\": 30, \"retryBudget\": 90, \"retries\": 20}}"
        let (folder, result) = try load(Array(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let settings = try result.get()
        #expect(settings.transport.minimumSpeed == 2048 && settings.transport.transferTimeout == 900)
        #expect(settings.retry.maxRetryAfter == 30 && settings.retry.retryBudget == 90 && settings.retry.maxAttempts == 21)
        #expect(settings.warnings.isEmpty, "\(settings.warnings)")
    }

    private func load(_ content: [UInt8]) throws -> (folder: String, result: Result<FeedSettings, FeedError>) {
        let folder = NSTemporaryDirectory() + "ccm-feeds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/feeds.json", contents: Data(content))
        return (folder, Result { () throws(FeedError) -> FeedSettings in try FeedSettings.load(path: folder + "/feeds.json", environment: [:]) })
    }

    @Test(arguments: broken)
    func brokenFilesNameTheLineAndField(row: (name: String, json: String, message: String)) throws {
        let (folder, result) = try load(Array(row.json.utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard case let .failure(error) = result else { Issue.record("\(row.name): accepted"); return }
        #expect(error.description == folder + "/" + row.message, "\(row.name)")
    }

    @Test func crlfAndByteOrderMarkAreAccepted() throws {
        let json = "{\r\n  \"sources\": {\r\n    \"internal\": { \"url\": \"http://h/\" }\r\n  },\r\n  \"network\": { \"retries\": 2 }\r\n}\r\n"
        let (folder, result) = try load([0xEF, 0xBB, 0xBF] + Array(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let settings = try result.get()
        #expect(settings.sources["internal"]?.location == "http://h/")
        #expect(settings.retry.maxAttempts == 3)
        #expect(settings.warnings.isEmpty)
    }

    @Test func unknownKeysAreWarnedAboutWithTheLine() throws {
        let json = "{\n  \"sources\": {\n    \"internal\": { \"url\": \"http://h/\",\n      \"pasword\": \"x\" }\n  },\n  \"netwrk\": {}\n}"
        let (folder, result) = try load(Array(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let settings = try result.get()
        #expect(settings.warnings == [
            "\(folder)/feeds.json:4: unknown key 'pasword' in 'sources.internal' is ignored (did you mean 'password'?)",
            "\(folder)/feeds.json:6: unknown key 'netwrk' in the top level is ignored (did you mean 'network'?)",
        ])
    }
}
