import CurlSupport
import FileSupport
import JSONOutput
import Foundation

/// The JSON shapes of `feeds.json` (kept apart from the domain types).
enum FeedConfigFile {
    struct Root: Decodable {
        var sources: [String: Source]?
        var network: Network?
    }

    struct Source: Decodable {
        var url: String
        var pushUrl: String?
        var username: String?
        var usernameEnv: String?
        var password: String?
        var passwordEnv: String?
        var passwordFile: String?
        var apiKey: String?
        var apiKeyEnv: String?
        var apiKeyFile: String?
    }

    struct Network: Decodable {
        var proxy: String?
        var caBundle: String?
        var insecureSkipTLSVerify: Bool?
        var connectTimeout: Int?
        var stallTimeout: Int?
        var minimumSpeed: Int?
        var transferTimeout: Int?
        var pushTimeout: Int?
        var retries: Int?
        var jobs: Int?
        var maxRetryAfter: Int?
        var retryBudget: Int?

        /// The numbers given, by setting.
        var numbers: [(NetworkSetting, Int)] {
            let all: [(NetworkSetting, Int?)] = [
                (.connectTimeout, connectTimeout), (.stallTimeout, stallTimeout), (.minimumSpeed, minimumSpeed),
                (.transferTimeout, transferTimeout), (.pushTimeout, pushTimeout), (.retries, retries), (.jobs, jobs),
                (.maxRetryAfter, maxRetryAfter), (.retryBudget, retryBudget),
            ]
            return all.compactMap { setting, value in value.map { (setting, $0) } }
        }
    }
}

extension FeedSettings {
    mutating func apply(file: String, environment: [String: String]) throws(FeedError) {
        let (root, unknownKeys, locator) = try Self.decodeConfig(file: file)
        warnings += unknownKeys
        var holdsInlineSecret = false
        for (name, entry) in root.sources ?? [:] {
            var source = FeedSource(name: name, location: entry.url, pushURL: entry.pushUrl)
            let username = try value(entry.username, env: entry.usernameEnv, file: nil, field: "\(name).username", environment: environment)
            let password = try value(entry.password, env: entry.passwordEnv, file: entry.passwordFile, field: "\(name).password",
                                     environment: environment)
            if let password {
                source.credentials = Credentials(username: username ?? (name == "licensed" ? "customer" : ""), password: Secret(password))
            } else if name == "licensed" {
                source.credentials = sources["licensed"]?.credentials
            }
            if let key = try value(entry.apiKey, env: entry.apiKeyEnv, file: entry.apiKeyFile, field: "\(name).apiKey", environment: environment) {
                source.apiKey = Secret(key)
            }
            holdsInlineSecret = holdsInlineSecret || entry.password != nil || entry.apiKey != nil
            sources[name] = source
        }
        if holdsInlineSecret, let attributes = try? FileManager.default.attributesOfItem(atPath: file),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            warnings.append("\(file) holds a password or API key and is readable by other users: chmod 600 it, "
                + "or use passwordEnv/apiKeyEnv/passwordFile/apiKeyFile instead")
        }
        if let network = root.network {
            // Range-checked before use: `retries + 1` on a huge number overflowed and crashed the tool.
            for (setting, value) in network.numbers {
                if let problem = setting.problem(with: value) {
                    throw .fileError(path: "\(file):\(locator.line(of: ["network", setting.key]))",
                                     reason: "'network.\(setting.key)': \(problem)")
                }
            }
            if let proxy = network.proxy { transport.proxy = proxy }
            if let caBundle = network.caBundle { transport.caBundle = caBundle }
            if let insecure = network.insecureSkipTLSVerify { transport.verifyTLS = !insecure }
            if let connect = network.connectTimeout { transport.connectTimeout = connect }
            if let stall = network.stallTimeout { transport.stallTimeout = stall }
            if let speed = network.minimumSpeed { transport.minimumSpeed = speed }
            if let total = network.transferTimeout { transport.transferTimeout = total }
            if let jobs = network.jobs { transport.maxConcurrentTransfers = jobs }
            if let retries = network.retries { retry.maxAttempts = retries + 1 }
            if let cap = network.maxRetryAfter { retry.maxRetryAfter = Double(cap) }
            if let budget = network.retryBudget { retry.retryBudget = Double(budget) }
            pushTimeout = network.pushTimeout ?? pushTimeout
        }
    }

    /// A setting given inline, through an environment variable, or in a file (trimmed); nil when none is set.
    private func value(_ inline: String?, env: String?, file: String?, field: String,
                       environment: [String: String]) throws(FeedError) -> String? {
        if let env {
            guard let value = environment[env], !value.isEmpty else {
                throw .invalidSource(source: field, reason: "environment variable \(env) is not set")
            }
            return value
        }
        if let file {
            let text: String
            do { text = try TextFile.read(atPath: file) } catch {
                throw .fileError(path: file, reason: "cannot read the secret file for \(field): \(error.reason)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return inline
    }

    /// Reads and decodes `file`. Every error names the file, the line and the field: a syntax error by its
    /// line and column, a wrong type or missing key by the line of the value (or object) concerned.
    static func decodeConfig(file: String) throws(FeedError) -> (root: FeedConfigFile.Root, unknownKeys: [String], locator: JSONLocator) {
        let text: String
        do { text = try TextFile.read(atPath: file) } catch {
            throw .fileError(path: file, reason: "cannot read the feeds config: \(error.reason)")
        }
        let locator: JSONLocator
        do { locator = try JSONLocator(text) } catch {
            throw .fileError(path: "\(file):\(error.line):\(error.column)", reason: "not valid JSON: \(error.message)")
        }
        let root: FeedConfigFile.Root
        do {
            root = try JSONDecoder().decode(FeedConfigFile.Root.self, from: Data(text.utf8))
        } catch let DecodingError.keyNotFound(key, context) {
            let object = context.codingPath.map(pathComponent)
            throw .fileError(path: "\(file):\(locator.line(of: object))",
                             reason: "\(describe(object)) needs '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(type, context) {
            throw wrongType(file: file, locator: locator, path: context.codingPath.map(pathComponent), expected: type)
        } catch let DecodingError.valueNotFound(type, context) {
            throw wrongType(file: file, locator: locator, path: context.codingPath.map(pathComponent), expected: type)
        } catch {
            // The locator accepted the syntax, so this is unexpected; still name the file.
            throw .fileError(path: file, reason: "not a valid feeds config: \(error)")
        }
        return (root, unknownKeys(in: locator, file: file), locator)
    }

    private static func wrongType(file: String, locator: JSONLocator, path: [String], expected: Any.Type) -> FeedError {
        let found = locator.values[path]?.kind.rawValue ?? "nothing"
        return .fileError(path: "\(file):\(locator.line(of: path))",
                          reason: "'\(path.joined(separator: "."))' must be \(words(for: expected)), not \(found)")
    }

    /// The JSON words for the Swift type a field decodes to.
    private static func words(for type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string in double quotes"
        case is Int.Type: return "a whole number"
        case is Bool.Type: return "true or false"
        default: return "an object { … }"
        }
    }

    private static func pathComponent(_ key: any CodingKey) -> String { key.intValue.map(String.init) ?? key.stringValue }

    private static func describe(_ object: [String]) -> String {
        object.isEmpty ? "the top level" : "'\(object.joined(separator: "."))'"
    }

    /// Keys the tool does not read: a typo there (`pasword`) would otherwise be ignored without a word.
    private static func unknownKeys(in locator: JSONLocator, file: String) -> [String] {
        let known: [String: Set<String>] = [
            "": ["sources", "network"],
            "source": ["url", "pushUrl", "username", "usernameEnv", "password", "passwordEnv", "passwordFile",
                       "apiKey", "apiKeyEnv", "apiKeyFile"],
            "network": Set(["proxy", "caBundle", "insecureSkipTLSVerify"] + NetworkSetting.allCases.map(\.key)),
        ]
        var warnings: [String] = []
        for (object, key, line) in locator.keys {
            let group: String
            switch (object.count, object.first) {
            case (0, _): group = ""
            case (1, "network"): group = "network"
            case (2, "sources"): group = "source"
            default: continue
            }
            guard let names = known[group], !names.contains(key) else { continue }
            let nearest = names.min { editDistance($0.lowercased(), key.lowercased()) < editDistance($1.lowercased(), key.lowercased()) }
            let hint = nearest.map { editDistance($0.lowercased(), key.lowercased()) <= 2 ? " (did you mean '\($0)'?)" : "" } ?? ""
            warnings.append("\(file):\(line): unknown key '\(key)' in \(describe(object)) is ignored\(hint)")
        }
        return warnings
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
