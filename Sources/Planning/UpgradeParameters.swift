import FileSupport
import Foundation
import Compatibility

/// The non-default settings of an installation, which Chocolatey's upgrade procedure says must be passed
/// again (ccm.md §5). Secrets are references (`env:NAME`, `file:PATH`, `prompt`), never values.
///
/// ```yaml
/// service:
///   username: CCMService
///   password: env:CCM_SERVICE_PASSWORD     # or enterPassword: true
///   portNumber: 24021
///   certificateDnsName: ccm.example.com
/// database:
///   connectionChanged: false               # true: pass the connection details below again
///   sqlServerInstance: sql01\CCM
/// agent:
///   username: CCMAgent
///   password: file:/etc/ccm/agent-password
/// ```
public struct UpgradeParameters: Sendable, Hashable, Codable {
    /// Connection details (database, service and web take the same three).
    public struct Connection: Sendable, Hashable, Codable {
        /// Pass the details again only when they changed (Chocolatey: "unchanged DB details need not be passed").
        public var changed: Bool = false
        public var connectionString: SecretReference?
        public var sqlServerInstance: String?
        public var database: String?

        public init(changed: Bool = false, connectionString: SecretReference? = nil, sqlServerInstance: String? = nil, database: String? = nil) {
            self.changed = changed
            self.connectionString = connectionString
            self.sqlServerInstance = sqlServerInstance
            self.database = database
        }
    }

    /// An account setting: user name plus a password reference or the interactive switch.
    public struct Account: Sendable, Hashable, Codable {
        public var username: String?
        public var password: SecretReference?
        public var enterPassword: Bool = false

        public init(username: String? = nil, password: SecretReference? = nil, enterPassword: Bool = false) {
            self.username = username
            self.password = password
            self.enterPassword = enterPassword
        }
    }

    public struct Service: Sendable, Hashable, Codable {
        public var account = Account()
        public var portNumber: Int?
        public var certificateDnsName: String?
        public var certificateThumbprint: String?
        public var connection = Connection()

        public init() {}
    }

    public var database = Connection()
    public var service = Service()
    public var web = Account()
    public var webConnection = Connection()
    public var agent = Account()

    public init() {}

    /// The service's default port; any other port must be passed again.
    public static let defaultServicePort = 24020
    /// The default account for the service and the agent.
    public static let defaultServiceAccount = "ChocolateyLocalAdmin"

    public static func load(path: String) throws(PlanningError) -> UpgradeParameters {
        let text: String
        do { text = try TextFile.read(atPath: path) } catch {
            throw .io(path: path, reason: "cannot read the parameters file: \(error.reason)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ document: String, file: String) throws(PlanningError) -> UpgradeParameters {
        func fail(_ field: String, _ problem: String) -> PlanningError { .invalidParameters(file: file, field: field, problem: problem) }
        let root: Any?
        // The one YAML entry: its size and alias-expansion limits apply here too.
        do { root = try YAMLDocument.load(document, file: file) } catch {
            throw fail(error.line > 0 ? "document (line \(error.line))" : "document", error.message)
        }
        // An empty file is more often a truncated or wrong one than a wish for defaults: the service would lose
        // its settings silently. `{}` says "defaults" on purpose.
        guard let root else {
            throw fail("document", "the file is empty (or only comments): expected a mapping with service, database, web or agent; "
                + "write {} for an estate with only default settings")
        }
        guard let map = root as? [String: Any] else { throw fail("document", "expected a mapping with service/database/web/agent") }
        var result = UpgradeParameters()
        for key in map.keys where !["service", "database", "web", "agent"].contains(key) {
            throw fail(key, "unknown section; expected service, database, web or agent")
        }
        func section(_ name: String) throws(PlanningError) -> [String: Any] {
            guard let value = map[name] else { return [:] }
            guard let section = value as? [String: Any] else { throw fail(name, "expected a mapping") }
            return section
        }
        func text(_ section: [String: Any], _ key: String, _ field: String) throws(PlanningError) -> String? {
            guard let value = section[key] else { return nil }
            if value is [Any] || value is [String: Any] { throw fail(field, "expected text") }
            return "\(value)"
        }
        func secret(_ section: [String: Any], _ key: String, _ field: String) throws(PlanningError) -> SecretReference? {
            guard let value = try text(section, key, field) else { return nil }
            do { return try SecretReference(parsing: value, field: field) } catch {
                throw fail(field, "'\(key)' must be a reference: 'env:NAME', 'file:PATH' or 'prompt' (clear-text secrets are refused)")
            }
        }
        func flag(_ section: [String: Any], _ key: String, _ field: String) throws(PlanningError) -> Bool {
            guard let value = section[key] else { return false }
            guard let bool = value as? Bool else { throw fail(field, "expected true or false") }
            return bool
        }
        func account(_ section: [String: Any], _ name: String) throws(PlanningError) -> Account {
            let account = Account(username: try text(section, "username", name + ".username"),
                                  password: try secret(section, "password", name + ".password"),
                                  enterPassword: try flag(section, "enterPassword", name + ".enterPassword"))
            if account.password != nil && account.enterPassword { throw fail(name, "give either 'password' or 'enterPassword', not both") }
            return account
        }
        func connection(_ section: [String: Any], _ name: String) throws(PlanningError) -> Connection {
            Connection(changed: try flag(section, "connectionChanged", name + ".connectionChanged"),
                       connectionString: try secret(section, "connectionString", name + ".connectionString"),
                       sqlServerInstance: try text(section, "sqlServerInstance", name + ".sqlServerInstance"),
                       database: try text(section, "database", name + ".database"))
        }
        let known: [String: Set<String>] = [
            "service": ["username", "password", "enterPassword", "portNumber", "certificateDnsName", "certificateThumbprint",
                        "connectionChanged", "connectionString", "sqlServerInstance", "database"],
            "database": ["connectionChanged", "connectionString", "sqlServerInstance", "database"],
            "web": ["username", "password", "enterPassword", "connectionChanged", "connectionString", "sqlServerInstance", "database"],
            "agent": ["username", "password", "enterPassword"],
        ]
        for (name, keys) in known {
            for key in try section(name).keys.sorted() where !keys.contains(key) {
                throw fail("\(name).\(key)", "unknown setting; expected one of \(keys.sorted().joined(separator: ", "))")
            }
        }
        let service = try section("service")
        result.service.account = try account(service, "service")
        if let port = try text(service, "portNumber", "service.portNumber") {
            guard let number = Int(port), (1...65535).contains(number) else { throw fail("service.portNumber", "'\(port)' is not a TCP port (1-65535)") }
            result.service.portNumber = number
        }
        result.service.certificateDnsName = try text(service, "certificateDnsName", "service.certificateDnsName")
        result.service.certificateThumbprint = try text(service, "certificateThumbprint", "service.certificateThumbprint")
        result.service.connection = try connection(service, "service")
        result.database = try connection(try section("database"), "database")
        let web = try section("web")
        result.web = try account(web, "web")
        result.webConnection = try connection(web, "web")
        result.agent = try account(try section("agent"), "agent")
        return result
    }
}
