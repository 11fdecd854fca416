import Compatibility
import Versioning

/// Which settings must be passed again on upgrade (Chocolatey's upgrade page, ccm.md §5).
enum ServiceParameterRules {
    typealias Result = (plain: [PackageParameter], sensitive: [PackageParameter], notes: [String])

    static func parameters(for role: Inventory.Role, host: String, parameters: UpgradeParameters, target: NuGetVersion,
                           https: WebHTTPS? = nil, httpsRequired: Bool = false) -> Result {
        switch role {
        case .database:
            return connection(parameters.database, role: "database")
        case .service:
            return service(parameters.service, host: host)
        case .web:
            var result = account(parameters.web, defaultUser: nil, what: "app pool identity")
            let connection = connection(parameters.webConnection, role: "web")
            result.plain += connection.plain
            result.sensitive += connection.sensitive
            result.notes += connection.notes
            result.notes.append("users other than ccmadmin may need their roles checked in Administration → Users afterwards")
            if httpsRequired, let https { website(https, into: &result) }
            return result
        }
    }

    /// The agent's non-default account must be supplied again ("at least the first time").
    static func agentParameters(_ parameters: UpgradeParameters) -> Result {
        account(parameters.agent, defaultUser: UpgradeParameters.defaultServiceAccount, what: "agent account")
    }

    private static func service(_ service: UpgradeParameters.Service, host: String) -> Result {
        var result = account(service.account, defaultUser: UpgradeParameters.defaultServiceAccount, what: "service account")
        if let port = service.portNumber, port != UpgradeParameters.defaultServicePort {
            result.plain.append(PackageParameter("PortNumber", .text(String(port))))
            result.notes.append("port \(port) is not the default 24020: passed again")
        }
        // The certificate is reused on upgrade unless its DNS name does not start with the host name.
        let hostPrefix = host.lowercased()
        if let dnsName = service.certificateDnsName, !dnsName.lowercased().hasPrefix(hostPrefix) {
            result.plain.append(PackageParameter("CertificateDnsName", .text(dnsName)))
            result.notes.append("certificate DNS name \(dnsName) does not start with the host name \(host): passed again")
        }
        if let thumbprint = service.certificateThumbprint,
           service.certificateDnsName.map({ !$0.lowercased().hasPrefix(hostPrefix) }) ?? true {
            result.plain.append(PackageParameter("CertificateThumbprint", .text(thumbprint)))
            result.notes.append("certificate thumbprint passed again (its DNS name is not known to start with the host name)")
        }
        let connection = connection(service.connection, role: "service")
        result.plain += connection.plain
        result.sensitive += connection.sensitive
        result.notes += connection.notes
        return result
    }

    /// CCM 0.17.0+ serves the website only over SSL. The docs list no certificate parameter for the web
    /// package (ccm.md §3, §4.3: the Quick Start scripts bind the certificate in IIS themselves), so nothing is
    /// passed to choco — a guessed parameter could be ignored or refused — and the step names the certificate
    /// whose IIS binding must stay in place; the plan was refused earlier when the estate records none.
    private static func website(_ https: WebHTTPS, into result: inout Result) {
        let named = [https.certificateThumbprint.map { "thumbprint \($0)" }, https.certificateDnsName].compactMap { $0 }.joined(separator: ", ")
        result.notes.append(
            "CCM's website works only over SSL from 0.17.0: keep the HTTPS binding (port \(https.port), certificate \(named)) on the ChocolateyCentralManagement site; the web package takes no certificate parameter"
        )
    }

    private static func account(_ account: UpgradeParameters.Account, defaultUser: String?, what: String) -> Result {
        var result: Result = ([], [], [])
        if let username = account.username, username.lowercased() != defaultUser?.lowercased() {
            result.plain.append(PackageParameter("Username", .text(username)))
            result.notes.append("non-default \(what) \(username): passed again")
        }
        if let password = account.password {
            result.sensitive.append(PackageParameter("Password", .secret(password)))
        } else if account.enterPassword {
            result.plain.append(PackageParameter("EnterPassword"))
            result.notes.append("/EnterPassword prompts on the host's console when the step runs")
        }
        return result
    }

    private static func connection(_ connection: UpgradeParameters.Connection, role: String) -> Result {
        var result: Result = ([], [], [])
        guard connection.changed else { return result }
        if let connectionString = connection.connectionString {
            result.sensitive.append(PackageParameter("ConnectionString", .secret(connectionString)))
        }
        if let instance = connection.sqlServerInstance { result.plain.append(PackageParameter("SqlServerInstance", .text(instance))) }
        if let database = connection.database { result.plain.append(PackageParameter("Database", .text(database))) }
        result.notes.append("the \(role) connection details changed: passed again")
        return result
    }
}
