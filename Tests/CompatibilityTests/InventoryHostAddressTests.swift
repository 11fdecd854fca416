import Compatibility
import RemoteHosts
import Testing
import Versioning

/// The inventory's reach fields (`ssh`, `port`, `shell`, `local`) and the writer that `ccm-upgrade inventory` uses.
@Suite struct InventoryHostAddressTests {
    static func inventory(_ hostFields: String) throws(InventoryError) -> Inventory {
        try Inventory.parse(
            """
            hosts:
              - name: ccm01
                roles: [database]
            \(hostFields.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                packages: { chocolatey-management-database: 0.16.0 }
            """, file: "inv.yaml")
    }

    @Test(arguments: [
        ("ssh: admin@ccm01.corp.example", HostAddress.ssh(destination: "admin@ccm01.corp.example", port: nil, shell: .cmd)),
        ("ssh: ccm01\nport: 2222\nshell: powershell", .ssh(destination: "ccm01", port: 2222, shell: .powershell)),
        ("ssh: ccm01\nshell: PowerShell", .ssh(destination: "ccm01", port: nil, shell: .powershell)),
        ("local: true", .local),
    ])
    func reachFields(fields: String, expected: HostAddress) throws {
        #expect(try Self.inventory(fields).hosts[0].address == expected)
    }

    @Test func noReachFieldsIsNil() throws {
        #expect(try Self.inventory("").hosts[0].address == nil)
    }

    // (fields, text the one error must contain)
    @Test(arguments: [
        ("ssh: ccm01\nport: 0", "expected a TCP port, 1-65535"),
        ("ssh: ccm01\nport: 70000", "expected a TCP port, 1-65535"),
        ("ssh: ccm01\nport: twenty-two", "expected a TCP port"),
        ("ssh: ccm01\nshell: bash", "expected the host's OpenSSH default shell: cmd or powershell"),
        ("ssh: -oProxyCommand=touch /tmp/x", "not starting with '-'"),
        ("ssh: \"admin@ccm01 -p 1\"", "no spaces"),
        ("port: 22", "the ssh destination"),
        ("local: true\nssh: ccm01", "either 'local: true' or reached over 'ssh'"),
        ("local: maybe", "true or false"),
        ("sshh: ccm01", "sshh"),
    ])
    func badReachFieldsAreOneErrorWithLine(fields: String, message: String) {
        do {
            _ = try Self.inventory(fields)
            Issue.record("accepted \(fields)")
        } catch {
            #expect(error.diagnostics.count == 1, "\(error)")
            #expect(error.description.contains(message), "\(error)")
            #expect(error.description.hasPrefix("inv.yaml:"), "\(error)")
        }
    }

    @Test func writtenInventoryReadsBackTheSame() throws {
        let original = Inventory(
            source: "https://nexus.example.com/repository/choco \"internal\"/", parameters: "parameters.yaml",
            hosts: [
                .init(name: "ccm-db", roles: [.database], packages: ["chocolatey-management-database": try NuGetVersion(parsing: "0.16.0")],
                      address: .ssh(destination: "admin@ccm-db", port: 2222, shell: .powershell)),
                .init(name: "ccm-app: web", roles: [.service, .web],
                      packages: ["chocolatey-management-service": try NuGetVersion(parsing: "0.16.0"), "chocolatey-management-web": try NuGetVersion(parsing: "0.16.0")],
                      https: WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7", certificateDnsName: "ccm: \"app\"", port: 8443),
                      address: .local),
            ],
            groups: [.init(name: "#Workstations", packages: ["chocolatey-agent": try NuGetVersion(parsing: "2.1.0")])],
            sqlServer: ServerRelease(year: 2008, isR2: true))
        let text = original.yamlText(header: ["header"], comments: ["#Workstations": ["3 computers"]])
        let read = try Inventory.parse(text, file: "written.yaml")
        #expect(read == original, "\(text)")
    }

    /// The top-level fields the admin records (no reader refreshes them) survive a write and a read.
    @Test func writtenTopLevelRecordsReadBackTheSame() throws {
        var original = Inventory(serverVersions: [.database: try NuGetVersion(parsing: "0.16.0"), .service: try NuGetVersion(parsing: "0.16.0"),
                                                  .web: try NuGetVersion(parsing: "0.16.0")])
        original.https = WebHTTPS(certificateThumbprint: "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7", port: 8443)
        original.windowsFeatures = ["Web-Server", "Web-Asp-Net45"]
        original.sqlServerStartMode = "automatic"
        let text = original.yamlText()
        #expect(try Inventory.parse(text, file: "written.yaml") == original, "\(text)")
    }
}
