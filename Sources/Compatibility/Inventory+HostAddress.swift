import RemoteHosts

/// A host's reach fields in the inventory: `ssh` (a `user@host`, a host name or a `Host` alias of the ssh config),
/// `port` and `shell` (the Windows OpenSSH server's default shell: `cmd`, its default, or `powershell`), or
/// `local: true` for the machine ccm-upgrade runs on.
extension Inventory {
    static let addressKeys = ["ssh", "port", "shell", "local"]

    static func address(_ entries: [(key: String, value: Cursor)], in host: Cursor, _ reader: YAMLReader) -> HostAddress? {
        func field(_ key: String) -> Cursor? { reader.field(entries, key, in: host, required: nil) }
        let local = field("local").flatMap { reader.bool($0) } ?? false
        let destination = reader.string(field("ssh"))
        var port: Int?
        if let cursor = field("port"), let text = reader.string(cursor) {
            if let number = Int(text), (1...65535).contains(number) {
                port = number
            } else {
                reader.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field, expected: "a TCP port, 1-65535", found: text))
            }
        }
        var shell = HostAddress.RemoteShell.cmd
        if let cursor = field("shell"), let text = reader.string(cursor) {
            if let value = HostAddress.RemoteShell(rawValue: text.lowercased()) {
                shell = value
            } else {
                reader.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field,
                                           expected: "the host's OpenSSH default shell: cmd or powershell", found: text))
            }
        }
        if local {
            if destination != nil || port != nil || field("shell") != nil {
                reader.error(.inconsistent(file: host.file, line: host.line, field: host.field + ".local",
                                           problem: "a host is either 'local: true' or reached over 'ssh', not both"))
            }
            return .local
        }
        guard let destination else {
            if let cursor = field("port") ?? field("shell") {
                reader.error(.missingField(file: cursor.file, line: cursor.line, field: host.field + ".ssh",
                                           expected: "the ssh destination (user@host or a Host of your ssh config) that '\(cursor.field)' belongs to"))
            }
            return nil
        }
        let cursor = field("ssh")!
        if destination.isEmpty || destination.hasPrefix("-") || destination.contains(where: { $0.isWhitespace || $0.isNewline }) {
            reader.error(.invalidValue(file: cursor.file, line: cursor.line, field: cursor.field,
                                       expected: "user@host or a Host of your ssh config (no spaces, not starting with '-')", found: destination))
            return nil
        }
        return .ssh(destination: destination, port: port, shell: shell)
    }
}
