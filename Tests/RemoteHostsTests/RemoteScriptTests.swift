import Foundation
import PowerShell
import RemoteHosts
import Testing

@Suite struct RemoteCommandTests {
    @Test func secretsAreCutOutOfTheArguments() throws {
        let command = try RemoteCommand(
            program: "choco",
            arguments: ["upgrade", "chocolatey-management-database", "--package-parameters-sensitive=/Password:hunter2 /Other:hunter2x"],
            secrets: ["hunter2", "hunter2x"])
        #expect(command.resolvedArguments.last == "--package-parameters-sensitive=/Password:hunter2 /Other:hunter2x")
        #expect(command.masked == "choco upgrade chocolatey-management-database --package-parameters-sensitive=/Password:******** /Other:********")
        // The longer secret is cut whole, not as the shorter one plus "x".
        #expect(command.arguments.last?.parts.count == 4)
    }

    @Test(arguments: ["line\nbreak", "nul\0inside", "carriage\rreturn"])
    func secretsThatCannotCrossAreRefused(secret: String) {
        #expect(throws: RemoteCommandError.self) { try RemoteCommand(program: "choco", arguments: ["x" + secret], secrets: [secret]) }
    }

    @Test func nulInAnArgumentIsRefused() {
        #expect(throws: RemoteCommandError.self) { try RemoteCommand(program: "choco", arguments: ["a\0b"]) }
    }
}

@Suite struct RemoteScriptTests {
    @Test func commandLineIsOnlyBase64AfterTheFixedPrefix() {
        let line = RemoteScript.commandLine
        let prefix = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
        #expect(line.hasPrefix(prefix))
        let encoded = line.dropFirst(prefix.count)
        // Nothing cmd.exe (% ^ & | < > ( ) ") or PowerShell ($ ` ' ;) would interpret.
        #expect(encoded.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) })
        #expect(line.count < SSHSession.cmdLineLimit)
        // It decodes (UTF-16LE) to the bootstrap.
        let bytes = Data(base64Encoded: String(encoded))!
        #expect(String(data: bytes, encoding: .utf16LittleEndian) == RemoteScript.bootstrap)
    }

    @Test func encodedCommandIsUTF16LittleEndian() {
        // `powershell -EncodedCommand` of "dir" per PS-EXE's own example encoding.
        #expect(RemoteScript.encodedCommand("dir") == "ZABpAHIA")
    }

    @Test func scriptHoldsNoSecretAndInputCarriesThem() throws {
        let command = try RemoteCommand(program: "choco", arguments: ["upgrade", "x", "--package-parameters-sensitive=/Password:p'q"], secrets: ["p'q"])
        let script = RemoteScript(command, tag: "ccm-upgrade-test")
        #expect(!script.script.contains("p'q"))
        #expect(script.script.contains("('--package-parameters-sensitive=/Password:' + $Secrets[0])"))
        let input = script.standardInput
        let separator = input.firstRange(of: [0, 0, 0, 0])!
        #expect(Array(input[separator.upperBound...]) == Array("p'q".utf8) + [0])
    }

    @Test(arguments: [
        ("plain", "'plain'"),
        ("it's", "'it''s'"),
        ("it\u{2019}s", "'it\u{2019}\u{2019}s'"),  // PowerShell also ends a string at a typographic quote
        ("$env:PATH `n", "'$env:PATH `n'"),
        ("", "''"),
    ])
    func singleQuotedLiterals(text: String, expected: String) {
        #expect(PowerShellLiteral.singleQuoted(text) == expected)
    }

    @Test(arguments: [
        ("ccm-upgrade-t exit 0", RemoteScript.Marker.exited(0)),
        ("ccm-upgrade-t exit 3010", .exited(3010)),
        ("ccm-upgrade-t exit -1", .exited(-1)),
        ("ccm-upgrade-t exit 4294967295", .exited(-1)),  // a DWORD printed unsigned
        ("ccm-upgrade-t started", .started),
        ("ccm-upgrade-t not-found", .notFound),
    ])
    func markers(line: String, expected: RemoteScript.Marker) throws {
        let script = RemoteScript(try RemoteCommand(program: "choco", arguments: []), tag: "ccm-upgrade-t")
        #expect(script.marker(in: line) == expected)
    }

    @Test(arguments: ["ccm-upgrade-other exit 0", "ccm-upgrade-t exit", "ccm-upgrade-t exit zero", " ccm-upgrade-t exit 0", "ccm-upgrade-t  started"])
    func forgedOrBrokenMarkersAreOutput(line: String) throws {
        let script = RemoteScript(try RemoteCommand(program: "choco", arguments: []), tag: "ccm-upgrade-t")
        #expect(script.marker(in: line) == nil)
    }

    @Test func tagsAreRandom() {
        #expect(RemoteScript.randomTag() != RemoteScript.randomTag())
    }
}

@Suite struct SSHClassificationTests {
    // (ssh's stderr, expected kind) — OpenSSH 9.2's wording, as the fault tests against real sshd also see it.
    @Test(arguments: [
        ("ssh: Could not resolve hostname ccm-db.invalid: Name or service not known", "nameNotResolved"),
        ("ssh: Could not resolve hostname ccm-db: Temporary failure in name resolution", "nameNotResolved"),
        ("ssh: connect to host 10.0.0.5 port 22: Connection refused", "connectionRefused"),
        ("ssh: connect to host 10.0.0.5 port 22: Connection timed out", "unreachable"),
        ("ssh: connect to host 10.0.0.5 port 22: No route to host", "unreachable"),
        ("@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key for [127.0.0.1]:2222 has changed and you have requested strict checking.\nHost key verification failed.", "hostKeyChanged"),
        ("No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.", "hostKeyUnknown"),
        ("admin@127.0.0.1: Permission denied (publickey).", "authenticationFailed"),
        ("kex_exchange_identification: read: Connection reset by peer", "connectionFailed"),
        ("Connection to 127.0.0.1 closed by remote host.", "connectionLost"),
        ("client_loop: send disconnect: Broken pipe", "connectionLost"),
        ("Timeout, server 127.0.0.1 not responding.", "connectionLost"),
        ("", "connectionLost"),
    ])
    func sshFailures(standardError: String, kind: String) {
        let error = SSHSession.classify(host: "ccm-db", termination: .exited(255), standardError: standardError, started: false)
        #expect(Self.kind(error) == kind, "\(error)")
        #expect(error.description.contains("ccm-db"))
        #expect(error.outcomeUnknown == (kind == "connectionLost"))
    }

    @Test func remoteShellFailureBeforeTheScriptIsNotStarted() {
        let error = SSHSession.classify(
            host: "ccm-db", termination: .exited(1), standardError: "'powershell.exe' is not recognized as an internal or external command,",
            started: false)
        #expect(Self.kind(error) == "commandNotStarted")
        #expect(!error.outcomeUnknown)
    }

    static func kind(_ error: RemoteHostError) -> String {
        String(String(describing: Mirror(reflecting: error).children.first?.label ?? "\(error)"))
    }
}

@Suite struct CLIXMLTests {
    // (a stderr line, what a person is shown)
    @Test(arguments: [
        ("#< CLIXML", [String]()),
        (#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">choco : The term 'choco' is not recognized_x000D__x000A_</S><S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>"#,
         ["choco : The term 'choco' is not recognized", "At line:1 char:1"]),
        (#"<Objs Version="1.1.0.1"><S S="Error">a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;_x000A_</S></Objs>"#, [#"a <b> & "c" 'd'"#]),
        (#"<Objs Version="1.1.0.1"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN></Obj></Objs>"#, []),
        (#"<Objs Version="1.1.0.1"><S S="Error">unterminated"#, []),
        (#"<Objs Version="1.1.0.1"><S S="Error">_x00_ _xZZZZ_ _x0041_</S></Objs>"#, ["_x00_ _xZZZZ_ A"]),
        ("an ordinary stderr line", ["an ordinary stderr line"]),
        ("<Objsx not clixml", ["<Objsx not clixml"]),
    ])
    func decoding(line: String, expected: [String]) {
        #expect(CLIXML.readableLines(line) == expected)
    }
}
