import CurlSupport
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
        var pushTimeout: Int?
        var retries: Int?
        var jobs: Int?
    }
}

extension FeedSettings {
    mutating func apply(file: String, environment: [String: String]) throws(FeedError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw .fileError(path: file, reason: "cannot read the feeds config: \(error.localizedDescription)")
        }
        let root: FeedConfigFile.Root
        do {
            root = try JSONDecoder().decode(FeedConfigFile.Root.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidSource(source: file, reason: "missing '\(key.stringValue)' at \(Self.path(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidSource(source: file, reason: "wrong type at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw .invalidSource(source: file, reason: "not valid JSON: \(error.localizedDescription)")
        }
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
            if let proxy = network.proxy { transport.proxy = proxy }
            if let caBundle = network.caBundle { transport.caBundle = caBundle }
            if let insecure = network.insecureSkipTLSVerify { transport.verifyTLS = !insecure }
            if let connect = network.connectTimeout { transport.connectTimeout = connect }
            if let stall = network.stallTimeout { transport.stallTimeout = stall }
            if let jobs = network.jobs { transport.maxConcurrentTransfers = max(1, jobs) }
            if let retries = network.retries { retry.maxAttempts = max(1, retries + 1) }
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
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .fileError(path: file, reason: "cannot read the secret file for \(field)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return inline
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map(\.stringValue).joined(separator: ".")
    }
}
