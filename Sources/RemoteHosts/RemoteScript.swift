import Foundation
import PowerShell

/// How a `RemoteCommand` crosses an SSH session to a Windows host, whichever default shell its OpenSSH server
/// starts (cmd.exe or PowerShell; remote-hosts.md §1.1), in the way Ansible's Windows SSH connection does (§1.3):
///
/// - The command line is `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand <b64>`:
///   base64 holds only `A-Za-z0-9+/=`, which neither cmd.exe (`%`, `^`, `&`, quotes) nor PowerShell interprets, so
///   the same line works under both shells; it is a fixed bootstrap of about 1 KB, far below cmd.exe's 8191.
/// - The bootstrap reads all of standard input, splits it at four NULs into the script and a payload, and runs the
///   script with the payload as its argument. Not `-Command -`: PowerShell reads that as typed lines, skips an
///   incomplete last statement and exits 0 on a parse error (§1.2).
/// - The script runs the program and writes two marker lines carrying a per-command random tag: `started`, and
///   `exit <code>` with the program's real exit code — the ssh client on Linux only passes on 8 bits (3010, a
///   success that needs a reboot, would arrive as 194, and choco's -1 as 255, which is also ssh's own failure code).
/// - Secrets are in the payload, NUL-separated; the script refers to them as `$Secrets[n]`.
public struct RemoteScript: Sendable {
    public let command: RemoteCommand
    /// The random tag of this command's marker lines, so that a package's output cannot forge them.
    public let tag: String

    public init(_ command: RemoteCommand, tag: String = RemoteScript.randomTag()) {
        self.command = command
        self.tag = tag
    }

    public static func randomTag() -> String {
        var generator = SystemRandomNumberGenerator()
        return "ccm-upgrade-" + (0..<4).map { _ in String(generator.next() as UInt32, radix: 16) }.joined()
    }

    // MARK: What is sent

    /// The fixed bootstrap that `-EncodedCommand` carries (its variable names are unlikely to meet the script's).
    public static let bootstrap = """
        try { [Console]::InputEncoding = [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { $null = $_ }
        $ccmUpgradeInput = $input | Out-String
        $ccmUpgradeParts = $ccmUpgradeInput.Split(@("`0`0`0`0"), 2, [StringSplitOptions]::None)
        if ($ccmUpgradeParts.Length -ne 2) { [Console]::Error.WriteLine('ccm-upgrade: the script did not arrive whole on standard input'); exit 1 }
        & ([ScriptBlock]::Create($ccmUpgradeParts[0])) $ccmUpgradeParts[1]
        """

    /// The one string given to `ssh` after the destination.
    public static let commandLine =
        "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + encodedCommand(bootstrap)

    /// Base64 of the UTF-16LE bytes of `script`, as `powershell.exe -EncodedCommand` takes it (PS-EXE "-EncodedCommand").
    public static func encodedCommand(_ script: String) -> String {
        var bytes: [UInt8] = []
        for unit in script.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        return Data(bytes).base64EncodedString()
    }

    /// The PowerShell script, without any secret value. Not `$ErrorActionPreference = 'Stop'`: Windows PowerShell 5.1
    /// turns a native program's stderr lines into terminating errors under it when they are captured.
    public var script: String {
        let arguments = command.arguments.map { "    " + Self.expression($0) }.joined(separator: "\n")
        return """
            param([string]$Payload)
            $PSNativeCommandArgumentPassing = 'Legacy'
            $Secrets = $Payload.Split([char]0)
            \(Self.nativeArgumentFunction)
            $Arguments = @(
            \(arguments)
            )
            $Program = Get-Command -Name \(PowerShellLiteral.singleQuoted(command.program)) -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if (-not $Program) { [Console]::Out.WriteLine(\(PowerShellLiteral.singleQuoted(tag + " not-found"))); exit 9009 }
            [Console]::Out.WriteLine(\(PowerShellLiteral.singleQuoted(tag + " started")))
            & $Program.Path @($Arguments | ForEach-Object { ConvertTo-NativeArgument $_ })
            $Code = $LASTEXITCODE
            [Console]::Out.WriteLine(\(PowerShellLiteral.singleQuoted(tag + " exit ")) + $Code)
            exit $Code
            """
    }

    /// Standard input: the script, four NULs, each secret followed by a NUL. (The bootstrap reads input through
    /// `$input | Out-String`, which adds a line break at the end: the NUL after the last secret keeps it out.)
    public var standardInput: [UInt8] {
        var bytes = Array(script.utf8) + [0, 0, 0, 0]
        for secret in command.secrets { bytes += Array(secret.utf8) + [0] }
        return bytes
    }

    /// Windows PowerShell 5.1 passes arguments to a native program "legacy": it puts quotes around an argument that
    /// has a space but escapes neither the quotes inside it nor the backslashes before the quote it adds, and drops
    /// an empty argument. choco (.NET) splits its command line by the CommandLineToArgvW rules, so the script does that
    /// escaping itself. (**inferred** from PowerShell/PowerShell#1995 and the 7.3 `PSNativeCommandArgumentPassing`
    /// notes; the stand-in shell of the tests applies the same rules.)
    static let nativeArgumentFunction = #"""
        function ConvertTo-NativeArgument([string]$Value) {
            if ($Value -eq '') { return '""' }
            $escaped = [regex]::Replace($Value, '(\\*)"', { param($m) ($m.Groups[1].Value * 2) + '\"' })
            if ($escaped -match '\s') { $escaped = [regex]::Replace($escaped, '(\\+)$', '$1$1') }
            return $escaped
        }
        """#

    /// One argument as a PowerShell expression: a single-quoted literal, or a parenthesised concatenation of
    /// literals and `$Secrets[n]`.
    static func expression(_ argument: RemoteCommand.Argument) -> String {
        let parts = argument.parts.map { part in
            switch part {
            case .text(let text): PowerShellLiteral.singleQuoted(text)
            case .secret(let index): "$Secrets[\(index)]"
            }
        }
        return parts.count == 1 && parts[0].hasPrefix("'") ? parts[0] : "(" + parts.joined(separator: " + ") + ")"
    }

    // MARK: What comes back

    /// What the marker lines said.
    public enum Marker: Sendable, Hashable {
        /// The program was not found on the host: nothing ran.
        case notFound
        /// The program is about to start.
        case started
        /// The program ended with this code.
        case exited(Int32)
    }

    /// Whether `line` is one of this command's marker lines; if so, what it says.
    public func marker(in line: String) -> Marker? {
        guard line.hasPrefix(tag + " ") else { return nil }
        let rest = line.dropFirst(tag.count + 1)
        if rest == "started" { return .started }
        if rest == "not-found" { return .notFound }
        if rest.hasPrefix("exit "), let code = Int64(rest.dropFirst(5).trimmingCharacters(in: .whitespaces)) {
            // A Windows exit code is a DWORD; PowerShell shows it signed (choco's -1).
            return .exited(Int32(truncatingIfNeeded: code))
        }
        return nil
    }
}
