import Foundation

/// A real OpenSSH server (Debian's `openssh-server`, `/usr/sbin/sshd`) standing for one CCM host in a test: on
/// 127.0.0.1 with its own port and a host key generated for this run, its own test `sshd_config` (nothing of
/// /etc/ssh is read), public-key login only, as the user running the tests. Every session runs the remote-shell
/// stand-in (`Tests/Fixtures/remote-shell-standin/powershell-standin.py`, ForceCommand), which runs the choco
/// stand-in (`Tests/Fixtures/choco-standin/choco`) with this host's own lib folder and log. Killed in `deinit`.
public final class TestSSHServer: @unchecked Sendable {
    public let name: String
    public let directory: String
    /// This host's Chocolatey lib folder (what the choco stand-in installs into and lists).
    public var lib: String { directory + "/lib" }
    /// The choco stand-in's call log.
    public var chocoLog: String { directory + "/choco.log" }
    /// Programs a test puts on this host's PATH (first on the remote-shell stand-in's `STANDIN_PATH`), such as a
    /// `powershell.exe` stand-in written with `ExecutableScript.write`.
    public var programs: String { directory + "/bin" }
    /// The remote-shell stand-in's state: its fault file, release file and session log.
    public var state: String { directory + "/state" }
    public private(set) var port: Int
    /// `ssh-ed25519 AAAA…` of this run's host key.
    public let hostPublicKey: String
    /// sshd's process id while it runs (spawned directly: Foundation's Process monitor thread can block in a
    /// wait4 on a long-running child and stall every other Process of the test run).
    private var pid: pid_t = 0

    /// Creates the host's files and starts sshd; `authorizedKeys` are the client keys allowed to log in;
    /// `environment` adds variables every session gets (the choco stand-in's settings).
    public init(name: String, in parent: String, authorizedKeys: [String], environment: [String: String] = [:]) throws {
        self.name = name
        directory = parent + "/" + name
        for folder in [directory, directory + "/lib", directory + "/state", directory + "/bin"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let hostKey = directory + "/host_ed25519"
        try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "\(name)-host", "-f", hostKey])
        hostPublicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try (authorizedKeys.joined(separator: "\n") + "\n").write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)
        port = 0
        var sessionEnvironment = [
            "STANDIN_STATE": state, "STANDIN_PATH": programs + ":" + ToolProcess.checkout + "/Tests/Fixtures/choco-standin:/usr/bin:/bin",
            "CHOCO_STANDIN_LOG": chocoLog, "CHOCO_STANDIN_LIB": lib,
        ]
        sessionEnvironment.merge(environment, uniquingKeysWith: { $1 })
        try writeConfig(environment: sessionEnvironment)
        try start()
    }

    /// `[127.0.0.1]:PORT ssh-ed25519 AAAA…`: this host's known_hosts line.
    public var knownHostsLine: String { "[127.0.0.1]:\(port) \(hostPublicKey)" }

    private var configPath: String { directory + "/sshd_config" }

    private func writeConfig(environment: [String: String]) throws {
        guard let python = Self.which("python3") else { throw FixtureServerError(message: "python3 is not on PATH") }
        let standin = ToolProcess.checkout + "/Tests/Fixtures/remote-shell-standin/powershell-standin.py"
        // SetEnv values may not contain spaces unquoted: quote each.
        let setEnv = environment.sorted { $0.key < $1.key }.map { "\"\($0.key)=\($0.value)\"" }.joined(separator: " ")
        let config = """
            # Test sshd for host '\(name)': written by TestSSHServer, nothing from /etc/ssh.
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_ed25519
            PidFile none
            AuthorizedKeysFile \(directory)/authorized_keys
            # The key files live under the test's temporary folder (/tmp is world-writable).
            StrictModes no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            UsePAM no
            AllowTcpForwarding no
            X11Forwarding no
            PrintMotd no
            ForceCommand \(python) \(standin)
            SetEnv \(setEnv)

            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts sshd on a free port (the previous one after `kill()`, so known_hosts entries stay valid).
    public func start() throws {
        // sshd refuses to start without its privilege-separation folder (Debian's unit creates it at boot).
        if getuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        let wanted = port == 0 ? Self.freePort() : port
        let log = directory + "/sshd.log"
        try? FileManager.default.removeItem(atPath: log)
        // -D: no daemon; -E: its log to a file (not a pipe someone must drain).
        pid = try Self.spawn("/usr/sbin/sshd", ["-D", "-E", log, "-f", configPath, "-p", String(wanted)])
        port = wanted
        // Listening once it says so; it says why when it cannot start (and exits).
        for _ in 0..<400 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("Server listening on 127.0.0.1 port \(wanted)") { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                throw FixtureServerError(message: "sshd for \(name) did not start: \(text)")
            }
            usleep(25_000)
        }
        kill()
        throw FixtureServerError(message: "sshd for \(name) did not say it listens within 10 s")
    }

    /// Kills sshd and every session process it started (SIGKILL): the host "dies" mid-command.
    public func kill() {
        guard pid > 0 else { return }
        for process in [pid] + Self.descendants(of: pid) { Foundation.kill(process, SIGKILL) }
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        pid = 0
    }

    /// Makes the remote-shell stand-in misbehave for the next sessions (see its header), or behave (`nil`).
    public func setFault(_ fault: String?) throws {
        let path = state + "/fault"
        if let fault { try (fault + "\n").write(toFile: path, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(atPath: path) }
        try? FileManager.default.removeItem(atPath: state + "/release")
    }

    /// Variables the programs of the next sessions get on top of sshd's `SetEnv` (values may hold quotes and
    /// spaces, which sshd_config cannot).
    public func setEnvironment(_ variables: [String: String]) throws {
        let text = variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
        try text.write(toFile: state + "/environment", atomically: true, encoding: .utf8)
    }

    /// Lets a held session go on.
    public func release() { _ = FileManager.default.createFile(atPath: state + "/release", contents: nil) }

    /// Installs `id` at `version` in this host's lib folder, as choco would have.
    public func install(_ id: String, _ version: String) throws {
        try FileManager.default.createDirectory(atPath: lib + "/" + id, withIntermediateDirectories: true)
        let nuspec = "<?xml version=\"1.0\"?>\n<package><metadata><id>\(id)</id><version>\(version)</version></metadata></package>\n"
        try nuspec.write(toFile: lib + "/\(id)/\(id).nuspec", atomically: true, encoding: .utf8)
    }

    deinit { kill() }

    // MARK: Helpers

    static func descendants(of root: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[pid] = parent }
        }
        var result: [Int32] = []
        var frontier = [root]
        while let pid = frontier.popLast() {
            let children = parents.filter { $0.value == pid }.map(\.key)
            result += children
            frontier += children
        }
        return result
    }

    /// A port nothing listens on now (the kernel's choice for a socket bound to port 0, then closed).
    public static func freePort() -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func which(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts `executable` with `arguments`, stdin from /dev/null, stdout and stderr to `output` (or /dev/null).
    static func spawn(_ executable: String, _ arguments: [String], output: String = "/dev/null") throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw FixtureServerError(message: "cannot start \(executable): \(String(cString: strerror(status)))") }
        return pid
    }

    /// Runs `executable` to its end; its output on failure.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("spawn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let pid = try spawn(executable, arguments, output: output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw FixtureServerError(message: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}

/// The admin side of a test estate: a client key generated for this run, a known_hosts file and an ssh config
/// (`ssh -F`) with one `Host` entry per server, so that the user's own ssh config, keys and known_hosts are never
/// read or touched. The servers are started with this client's key authorized.
public final class TestSSHEstate: @unchecked Sendable {
    public let directory: String
    public let clientKey: String
    public let clientPublicKey: String
    public private(set) var servers: [String: TestSSHServer] = [:]
    public var configFile: String { directory + "/ssh_config" }
    public var knownHosts: String { directory + "/known_hosts" }

    /// Creates the folder, the client key and one sshd per name in `hosts`.
    public init(hosts: [String], environment: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ccm-ssh-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        clientKey = directory + "/client_ed25519"
        try TestSSHServer.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ccm-upgrade-test-client", "-f", clientKey])
        clientPublicKey = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        for host in hosts {
            servers[host] = try TestSSHServer(name: host, in: directory, authorizedKeys: [clientPublicKey], environment: environment)
        }
        try writeClientFiles()
    }

    public subscript(host: String) -> TestSSHServer { servers[host]! }

    /// Rewrites known_hosts and the ssh config from the servers' current ports and keys; `knownHostsLines`
    /// replaces known_hosts (the host-key tests).
    public func writeClientFiles(knownHostsLines: [String]? = nil) throws {
        let lines = knownHostsLines ?? servers.values.sorted { $0.name < $1.name }.map(\.knownHostsLine)
        try (lines.joined(separator: "\n") + "\n").write(toFile: knownHosts, atomically: true, encoding: .utf8)
        var config = "# Test ssh config written by TestSSHEstate: nothing of ~/.ssh is used.\n"
        for server in servers.values.sorted(by: { $0.name < $1.name }) {
            config += hostEntry(alias: server.name, port: server.port)
        }
        // A host whose port nothing listens on, and one whose name does not resolve.
        config += hostEntry(alias: "refusing-host", port: TestSSHServer.freePort())
        config += hostEntry(alias: "unresolvable-host", port: 22, hostName: "ccm-upgrade-test.invalid")
        try config.write(toFile: configFile, atomically: true, encoding: .utf8)
    }

    private func hostEntry(alias: String, port: Int, hostName: String = "127.0.0.1") -> String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
        return """
            Host \(alias)
              HostName \(hostName)
              Port \(port)
              User \(user)
              IdentityFile \(clientKey)
              IdentitiesOnly yes
              IdentityAgent none
              UserKnownHostsFile \(knownHosts)
              GlobalKnownHostsFile /dev/null
              ControlPath none

            """
    }

    deinit {
        for server in servers.values { server.kill() }
        servers.removeAll()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
