import Diagnostics

/// The minimal, explicit environment a child process gets: never this process's whole environment, because it
/// holds the tool's own settings (`CCM_UPGRADE_*`: API keys, licence ids, passwords) that a package script or a
/// remote command must not be able to read.
public enum ChildEnvironment {
    /// What Windows, PowerShell and choco need to run (names compared case-insensitively, as Windows does).
    public static let windowsAndChoco: Set<String> = [
        "PATH", "PATHEXT", "SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "COMSPEC", "TEMP", "TMP", "TMPDIR", "HOME", "USERPROFILE",
        "APPDATA", "LOCALAPPDATA", "PROGRAMDATA", "ALLUSERSPROFILE", "PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432",
        "COMMONPROGRAMFILES", "COMMONPROGRAMFILES(X86)", "COMMONPROGRAMW6432", "COMPUTERNAME", "USERNAME", "USERDOMAIN",
        "OS", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "PSMODULEPATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "USER",
        "LOGNAME", "SHELL", "TERM",
    ]

    /// What the OpenSSH client needs: its agent, the user's home (config, keys, known_hosts), PATH for a
    /// `ProxyCommand`, Kerberos' ticket cache for GSSAPI, and the locale. Not `SSH_ASKPASS`/`DISPLAY`: a run
    /// never asks for a password.
    public static let sshClient: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "SSH_AUTH_SOCK", "KRB5CCNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ",
        // Windows admin hosts: ssh.exe finds the user's profile and the agent's pipe through these.
        "USERPROFILE", "SYSTEMROOT", "WINDIR", "PROGRAMDATA", "COMSPEC", "PATHEXT",
    ]

    /// The variables of `environment` whose names are in `allowed` (case-insensitively), plus — when
    /// `keepingChocolatey` — Chocolatey's own (names starting with `choco`, such as `ChocolateyInstall`), then
    /// `adding` over them. A variable whose value holds a registered secret (`Redaction`) is dropped whatever its name.
    public static func minimal(
        from environment: [String: String], allowed: Set<String>, keepingChocolatey: Bool = false, adding: [String: String] = [:]
    ) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in environment {
            let upper = name.uppercased()
            guard allowed.contains(upper) || (keepingChocolatey && upper.hasPrefix("CHOCO")) else { continue }
            guard Redaction.redactKnown(value) == value else { continue }
            result[name] = value
        }
        return result.merging(adding, uniquingKeysWith: { $1 })
    }
}
