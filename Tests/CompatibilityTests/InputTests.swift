import Diagnostics
import Compatibility
import Testing
import Versioning

@Suite("Estate input: flags, inventory, platform names")
struct InputTests {
    @Test func flagsBuildGroups() throws {
        var flags = EstateFlags()
        flags.ccm = "0.14.0"
        flags.web = "0.15.0"
        flags.agent = ["servers=4.0.0", "laptops=1.1.0"]
        flags.extension_ = ["8.0.0", "laptops=4.2.0"]
        flags.chocolatey = ["2.7.0"]
        flags.prerequisites = ["Dotnet-8.0-Runtime=8.0.8"]
        let estate = try Estate.applying(flags)
        #expect(estate.database == v("0.14.0") && estate.web == v("0.15.0"))
        #expect(estate.groups.map(\.name) == ["servers", "laptops"])
        #expect(estate.groups[0].licensedExtension == v("8.0.0"))
        #expect(estate.groups[1].licensedExtension == v("4.2.0"))
        #expect(estate.groups.allSatisfy { $0.chocolatey == v("2.7.0") })
        #expect(estate.prerequisites["dotnet-8.0-runtime"] == v("8.0.8"))

        var twice = EstateFlags()
        twice.agent = ["servers=4.0.0", "servers=4.1.0"]
        #expect(throws: EstateInputError.self) { try Estate.applying(twice) }
        twice.agent = ["4.0.0", "4.1.0"]
        #expect(throws: EstateInputError.self) { try Estate.applying(twice) }

        var typo = Estate(ccm: v("0.13.0"))
        typo.prerequisites = ["dotnet-8.0-runtme": v("8.0.8")]
        #expect(try embedded().check(typo).has("estate.unknown-package", .warning))

        var plain = EstateFlags()
        plain.agent = ["1.1.0"]
        #expect(try Estate.applying(plain).groups.map(\.name) == ["default"])
    }

    // (flag kind, value, expected flag in the error)
    @Test(arguments: [("agent", "servers=", "--agent"), ("agent", "x.y", "--agent"), ("ccm", "zero", "--ccm"), ("sql", "2031x", "--sql-server"), ("windows", "XP", "--windows-server"), ("prerequisite", "8.0.8", "--prerequisite")])
    func badFlagValuesNameTheFlag(kind: String, value: String, flag: String) {
        var flags = EstateFlags()
        switch kind {
        case "agent": flags.agent = [value]
        case "ccm": flags.ccm = value
        case "sql": flags.sqlServer = value
        case "windows": flags.windowsServer = value
        default: flags.prerequisites = [value]
        }
        #expect(throws: EstateInputError.self) { try Estate.applying(flags) }
        do { _ = try Estate.applying(flags) } catch { #expect(error.flag == flag) }
    }

    @Test func inventoryYAMLAndJSON() throws {
        let matrix = try embedded()
        let yaml = """
            ccm: 0.10
            web: "0.10.1"
            dotnet: 6.0.15
            sql_server: 2019
            windows_server: "2012 R2"
            prerequisites:
              dotnet-6.0-runtime: 6.0.15
            groups:
              - name: servers
                chocolatey-agent: 1.1.0
                chocolatey.extension: 4.2.0
                chocolatey: 1.1.0
            """
        let estate = try Inventory.parse(yaml, file: "inv.yaml").estate
        #expect(estate.database == v("0.10.0")) // read as text: 0.10, not the float 0.1
        #expect(estate.web == v("0.10.1"))
        #expect(estate.sqlServer == ServerRelease(year: 2019))
        #expect(estate.windowsServer == ServerRelease(year: 2012, isR2: true))
        #expect(estate.groups.first?.agent == v("1.1.0"))
        let report = matrix.check(estate)
        #expect(report.has("prerequisite.windows-server", .error))
        #expect(report.has("ccm.same-version", .error))

        let json = #"{"ccm": "0.17.0", "https": {"certificate_dns_name": "ccm.example.com"}, "groups": [{"name": "all", "chocolatey-agent": "4.1.0", "chocolatey.extension": "8.2.0", "chocolatey": "2.7.3"}]}"#
        #expect(matrix.check(try Inventory.parse(json, file: "inv.json").estate).isCompatible)
    }

    /// One format: the plan's shape (hosts, `packages:` mappings) and the check's shape (top-level versions,
    /// client ids as group keys) are one schema, read the same way with CRLF line ends and a byte order mark.
    @Test(arguments: ["\n", "\r\n"], [false, true])
    func oneFormatForPlanAndCheck(lineEnd: String, bom: Bool) throws {
        let lines = [
            "source: /srv/feed",
            "dotnet: 8.0.8",
            "hosts:",
            "  - name: ccm01",
            "    roles: [database, service, web]",
            "    packages: { chocolatey-management-database: 0.16.0, chocolatey-management-service: 0.16.0, chocolatey-management-web: 0.16.0, chocolatey-agent: 3.0.0 }",
            "groups:",
            "  - name: Workstations",
            "    packages: { chocolatey-agent: 3.0.0, chocolatey.extension: 7.0.0 }",
            "  - name: servers",
            "    chocolatey-agent: 4.0.0",
            "    chocolatey: 2.7.0",
        ]
        let text = (bom ? "\u{FEFF}" : "") + lines.joined(separator: lineEnd) + lineEnd
        let inventory = try Inventory.parse(text, file: "inv.yaml")
        #expect(inventory.source == "/srv/feed")
        #expect(inventory.host(with: .web)?.name == "ccm01")
        let estate = inventory.estate
        #expect(estate.database == v("0.16.0") && estate.web == v("0.16.0"))
        #expect(estate.dotnetRuntime == v("8.0.8"))
        #expect(estate.groups.map(\.name) == ["host:ccm01", "Workstations", "servers"])
        #expect(estate.groups[1].licensedExtension == v("7.0.0"))
        #expect(estate.groups[2].chocolatey == v("2.7.0"))
        // An error still names the right line with CRLF and a BOM.
        let broken = text.replacingOccurrences(of: "chocolatey: 2.7.0", with: "chocolatey: two")
        #expect { try Inventory.parse(broken, file: "inv.yaml") } throws: { error in
            "\(error)".hasPrefix("inv.yaml:12: error: field 'groups[1].chocolatey'")
        }
    }

    // (inventory, line, message fragment)
    @Test(arguments: [
        ("ccm: 0.14.0\ngroups:\n  - name: a\n    chocolatey-agnet: 1.1.0\n", 4, "unknown field 'groups[0].chocolatey-agnet'"),
        ("ccm: 0.14.0\nsql_server: 2031x\n", 2, "field 'sql_server': expected a SQL Server release"),
        ("ccm: [0.14.0\n", 2, "YAML syntax error"),
        ("ccm: 0.14.0\ngroups:\n  - chocolatey: 1.1.0\n", 3, "field 'groups[0].name' is missing"),
        ("ccm: 0.14.0\nweb: abc\n", 2, "field 'web': expected a NuGet version"),
        ("- 1\n", 1, "expected a mapping"),
    ])
    func inventoryErrorsHaveLines(text: String, expectedLine: Int, fragment: String) throws {
        do {
            _ = try Inventory.parse(text, file: "inv.yaml")
            Issue.record("expected an error")
        } catch {
            let match = error.diagnostics.first { $0.message.contains(fragment) }
            #expect(match != nil, "\(error.diagnostics)")
            #expect(match?.line == expectedLine)
            #expect(match?.file == "inv.yaml")
        }
    }

    // (text, SQL Server, Windows Server) as "year[R2]" or nil
    @Test(arguments: [
        ("2016", "2016", "2016"), ("2008 R2", "2008 R2", "2008 R2"), ("2012r2", "2012 R2", "2012 R2"),
        ("SQL Server 2019", "2019", nil), ("Windows Server 2022", nil, "2022"),
        ("15.0.2000.5", "2019", nil), ("10.50", "2008 R2", nil), ("13", "2016", nil),
        ("10.0.17763", "2008", "2019"), ("6.3.9600", nil, "2012 R2"), ("10.0.20348", "2008", "2022"),
        ("XP", nil, nil), ("", nil, nil),
    ] as [(String, String?, String?)])
    func platformNames(text: String, sql: String?, windows: String?) {
        #expect(ServerRelease.sqlServer(text)?.description == sql)
        #expect(ServerRelease.windowsServer(text)?.description == windows)
    }
}
