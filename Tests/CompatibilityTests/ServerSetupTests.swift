import Compatibility
import Testing
import Versioning

/// The server setup beyond packages (prerequisites.yaml `server_setup`): the website's HTTPS binding from
/// CCM 0.17.0, the website's Windows features, SQL Server's start mode, and the database host's runtime.
struct ServerSetupTests {
    static let thumbprint = "3EDEBDFEE63B57B0A0A12A079ED8DA791DA03BA7"

    // (CCM version, the recorded binding, HTTPS error expected)
    @Test(arguments: [
        ("0.16.0", nil, false),
        ("0.17.0", nil, true),
        ("0.17.1", nil, true),
        ("0.17.0", WebHTTPS(certificateThumbprint: thumbprint), false),
        ("0.17.0", WebHTTPS(certificateDnsName: "ccm.example.com", port: 8443), false),
    ] as [(String, WebHTTPS?, Bool)])
    func theWebsiteNeedsACertificateFrom0170(_ ccm: String, _ https: WebHTTPS?, _ refused: Bool) throws {
        var estate = Estate(ccm: v(ccm), groups: [group(agent: "4.1.0", ext: "8.2.0", choco: "2.7.3")])
        estate.webHTTPS = https
        let report = try embedded().check(estate)
        let finding = report.findings.first { $0.rule == "prerequisite.https" }
        #expect((finding?.severity == .error) == refused, "\(report.findings.map(\.rule))")
        if refused {
            let message = try #require(finding?.message)
            #expect(message.contains("works only over SSL") && message.contains("certificate_thumbprint") && message.contains("--web-certificate"))
            #expect(finding?.source?.contains("release-notes.mdx") == true)
            #expect(finding?.matrixLocation?.hasPrefix("matrix/prerequisites.yaml:") == true)
        }
    }

    // (installed features, expected finding, missing feature named); not recorded: not checked
    @Test(arguments: [
        (nil, nil, nil),
        (["IIS-WebServer"], "prerequisite.windows-features", "IIS-ApplicationInit"),
        ([String](), "prerequisite.windows-features", "IIS-WebServer"),
        (["iis-webserver", "IIS-ApplicationInit"], nil, nil),
    ] as [([String]?, String?, String?)])
    func theWebsitesWindowsFeatures(_ installed: [String]?, _ rule: String?, _ missing: String?) throws {
        var estate = Estate(ccm: v("0.16.0"))
        estate.windowsFeatures = installed
        let findings = try embedded().check(estate).findings.filter { $0.rule.contains("windows-features") }
        #expect(findings.map(\.rule) == (rule.map { [$0] } ?? []))
        if let missing { #expect(findings.first?.message.contains("choco install \(missing) --source windowsfeatures") == true) }
    }

    // (start mode, expected finding)
    @Test(arguments: [(nil, nil), ("manual", "prerequisite.sql-server-service"),
                      ("disabled", "prerequisite.sql-server-service"), ("automatic", nil)] as [(String?, String?)])
    func sqlServerStartsAutomatically(_ mode: String?, _ rule: String?) throws {
        var estate = Estate(ccm: v("0.14.0"))
        estate.sqlServerStartMode = mode
        let findings = try embedded().check(estate).findings.filter { $0.rule.contains("sql-server-service") }
        #expect(findings.map(\.rule) == (rule.map { [$0] } ?? []))
    }

    @Test func theDatabasePackageNeedsTheErasRuntimeFrom090() throws {
        let matrix = try embedded()
        for ccm in ["0.9.0", "0.13.0", "0.17.0"] {
            let runtime = try matrix.requirements(forCCM: v(ccm)).prerequisites.filter { $0.id.hasSuffix("-runtime") }
            #expect(runtime.count == 1 && runtime[0].requiredBy.contains(ServerRole.database.packageID), "CCM \(ccm)")
        }
        // A separate database host with an old runtime is checked like the web host.
        let inventory = try Inventory.parse("""
            hosts:
              - name: sql01
                roles: [database]
                packages: { chocolatey-management-database: 0.17.0, dotnet-10.0-runtime: 10.0.5 }
              - name: web01
                roles: [service, web]
                packages: { chocolatey-management-service: 0.17.0, chocolatey-management-web: 0.17.0, dotnet-10.0-runtime: 10.0.9 }
                https: { certificate_dns_name: web01.example.com }
            """, file: "estate.yaml")
        let errors = matrix.check(inventory.estate).findings.filter { $0.rule == "prerequisite.package" }
        #expect(errors.map(\.subject) == ["dotnet-10.0-runtime"])
        #expect(errors.first?.message.contains("installed 10.0.5") == true)
    }

    @Test func theInventoryRecordsTheSetup() throws {
        let inventory = try Inventory.parse("""
            windows_features: [IIS-WebServer, IIS-ApplicationInit]
            sql_server_service: Automatic
            hosts:
              - name: ccm01
                roles: [database, service, web]
                packages: { chocolatey-management-database: 0.17.0, chocolatey-management-service: 0.17.0, chocolatey-management-web: 0.17.0 }
                https:
                  certificate_thumbprint: 3e de bd fe e6 3b 57 b0 a0 a1 2a 07 9e d8 da 79 1d a0 3b a7
                  port: 8443
            """, file: "estate.yaml")
        let estate = inventory.estate
        #expect(estate.webHTTPS == WebHTTPS(certificateThumbprint: Self.thumbprint, port: 8443))
        #expect(estate.windowsFeatures == ["IIS-WebServer", "IIS-ApplicationInit"] && estate.sqlServerStartMode == "automatic")
        #expect(try embedded().check(estate).findings.filter { $0.rule.hasPrefix("prerequisite.") }.isEmpty)
        // An inventory without hosts gives the binding at the top level, like `ccm`.
        let flat = try Inventory.parse("ccm: 0.17.0\nhttps: { certificate_dns_name: ccm.example.com }\n", file: "check.yaml")
        #expect(flat.estate.webHTTPS?.certificateDnsName == "ccm.example.com" && flat.estate.webHTTPS?.port == 443)
    }

    // (inventory text, line, field named in the error)
    @Test(arguments: [
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 0.17.0 }, https: { certificate_thumbprint: ABC } }", 2,
         "hosts[0].https.certificate_thumbprint"),
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 0.17.0 }, https: { port: 443 } }", 2, "hosts[0].https"),
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 0.17.0 }, https: { certificate_dns_name: a, port: 0 } }", 2,
         "hosts[0].https.port"),
        ("hosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 0.17.0 }, https: { certificate_dns_name: a, pfx: x } }", 2,
         "hosts[0].https.pfx"),
        ("hosts:\n  - { name: a, roles: [database], packages: { chocolatey-management-database: 0.17.0 }, https: { certificate_dns_name: a } }", 2,
         "hosts[0].https"),
        ("https: { certificate_dns_name: a }\nhosts:\n  - { name: a, roles: [web], packages: { chocolatey-management-web: 0.17.0 } }", 1, "https"),
        ("sql_server_service: sometimes", 1, "sql_server_service"),
        ("windows_features: IIS-WebServer", 1, "windows_features"),
    ])
    func badSetupFieldsAreOneErrorNamingLineAndField(_ text: String, _ line: Int, _ field: String) throws {
        let error = try #require(throws: InventoryError.self) { try Inventory.parse(text, file: "estate.yaml") }
        #expect(error.diagnostics.contains { $0.line == line && $0.description.contains(field) }, "\(error.description)")
    }

    // (--web-certificate value, thumbprint, DNS name)
    @Test(arguments: [
        (thumbprint.lowercased(), thumbprint, nil),
        ("ccm.example.com", nil, "ccm.example.com"),
    ] as [(String, String?, String?)])
    func webCertificateFlag(_ value: String, _ thumbprint: String?, _ dnsName: String?) throws {
        var flags = EstateFlags()
        flags.webCertificate = value
        let estate = try Estate.applying(flags, to: Estate(ccm: v("0.17.0")))
        #expect(estate.webHTTPS == WebHTTPS(certificateThumbprint: thumbprint, certificateDnsName: dnsName))
        #expect(!(try embedded().check(estate).has("prerequisite.https", .error)))
    }

    @Test func sqlServerServiceFlagIsValidated() throws {
        var flags = EstateFlags()
        flags.sqlServerService = "sometimes"
        let error = try #require(throws: EstateInputError.self) { try Estate.applying(flags) }
        #expect(error.flag == "--sql-server-service")
    }
}
