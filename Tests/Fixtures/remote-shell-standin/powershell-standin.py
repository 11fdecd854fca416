#!/usr/bin/env python3
"""TEST STAND-IN for Windows PowerShell behind Windows OpenSSH -- NOT PowerShell, not part of the product.

The tests' sshd (Tests/TestSupport/TestSSHServer.swift) runs this as its ForceCommand, so every SSH session
of a test lands here with the client's command in SSH_ORIGINAL_COMMAND. It interprets exactly the command
form that ccm-upgrade's SSHSession sends (Sources/RemoteHosts/RemoteScript.swift) and nothing else:

  powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand <base64 of UTF-16LE>

  - The encoded text must be the bootstrap: it reads all of stdin (`$input | Out-String`, which appends a line
    break [PowerShell: Out-String]), splits it at four NULs into a script and a payload, and runs the script
    with the payload [remote-hosts.md 1.3, Ansible bootstrap_wrapper.ps1].
  - The script's shape is fixed: `$Secrets = $Payload.Split([char]0)`; an `$Arguments = @( ... )` block of
    single-quoted literals ('' for a quote) and parenthesised concatenations with `$Secrets[n]` (a literal may
    span lines, as any single-quoted string may [PowerShell language spec 2.3.5.2: a single-quoted string
    character is any character but a single quote]; its line breaks are CRLF, as `$input | Out-String` on
    Windows rejoined the lines it read [PowerShell: Out-String]); a
    `Get-Command -Name '<program>'` line (not found on STANDIN_PATH: print the `not-found` marker, exit 9009);
    `[Console]::Out.WriteLine('<tag> started')`; the program run; `'<tag> exit ' + $Code`; `exit $Code`.
  - Arguments reach the program as Windows would pass them: each through the script's
    ConvertTo-NativeArgument, then Windows PowerShell 5.1's legacy quoting (quotes around an argument with
    whitespace), joined with spaces, then split again by the CommandLineToArgvW rules [Microsoft docs,
    "Parsing C command-line arguments"]; so a test sees whether the escaping survives the round trip.
  - The exit code is Windows' 32-bit code: the marker line carries it whole; the process exit status is the
    code modulo 256, as the Linux ssh client would see it anyway.

Faults, chosen by the first line of $STANDIN_STATE/fault (absent: none):
  hold-before-command   print the started marker and "stand-in: holding", then wait (the program never runs)
  hold-after-command    run the program, print "stand-in: holding", then wait before the exit marker
  cut-after-command     run the program, then kill this session's sshd processes (SIGKILL) before the exit
                        marker: the connection drops after the command ran, before its result came back
$STANDIN_STATE/environment, when present, holds NAME=VALUE lines added to the program's environment (a test
changes the choco stand-in's settings there without restarting sshd, and values may hold quotes).
A wait ends when $STANDIN_STATE/release appears or the session is gone (bounded at 120 s).
Each session appends its program and arguments, secrets masked, to $STANDIN_STATE/sessions.log.
"""
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import time

PREFIX = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def fail(message, code=1):
    sys.stderr.write("stand-in shell: " + message + "\n")
    sys.exit(code)


def literal(text):
    """A PowerShell single-quoted string at the start of text: (value, rest)."""
    if not text or text[0] not in SINGLE_QUOTES:
        fail("expected a single-quoted string at: " + text[:40])
    value, i = "", 1
    while i < len(text):
        c = text[i]
        if c in SINGLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] == c:
                value += c
                i += 2
                continue
            return value, text[i + 1:]
        value += c
        i += 1
    fail("unterminated string")


def open_literal(text):
    """Whether text ends inside a single-quoted string (the argument goes on on the next line)."""
    inside, i = False, 0
    while i < len(text):
        if text[i] in SINGLE_QUOTES:
            if inside and i + 1 < len(text) and text[i + 1] == text[i]:
                i += 2
                continue
            inside = not inside
        i += 1
    return inside


def expression(text, secrets):
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        value, rest = "", text[1:-1].strip()
        while rest:
            m = re.match(r"\$Secrets\[(\d+)\]", rest)
            if m:
                value += secrets[int(m.group(1))]
                rest = rest[m.end():]
            else:
                part, rest = literal(rest)
                value += part
            rest = rest.strip()
            if rest.startswith("+"):
                rest = rest[1:].strip()
            elif rest:
                fail("unexpected text in an argument: " + rest[:40])
        return value
    value, rest = literal(text)
    if rest.strip():
        fail("unexpected text after an argument: " + rest[:40])
    return value


def convert_to_native_argument(value):
    """The script's ConvertTo-NativeArgument, rule for rule."""
    if value == "":
        return '""'
    escaped = re.sub(r'(\\*)"', lambda m: m.group(1) * 2 + '\\"', value)
    if re.search(r"\s", escaped):
        escaped = re.sub(r"(\\+)$", lambda m: m.group(1) * 2, escaped)
    return escaped


def legacy_join(arguments):
    """Windows PowerShell 5.1: an argument with whitespace is put in quotes, nothing else is escaped."""
    return " ".join('"%s"' % a if re.search(r"\s", a) and not (a.startswith('"') and a.endswith('"')) else a for a in arguments)


def command_line_to_argv(line):
    """CommandLineToArgvW / the MSVC runtime's rules (arguments after the program name)."""
    argv, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return argv
        current, quoted = "", False
        while i < n and (quoted or line[i] not in " \t"):
            if line[i] == "\\":
                j = i
                while j < n and line[j] == "\\":
                    j += 1
                count = j - i
                if j < n and line[j] == '"':
                    current += "\\" * (count // 2)
                    if count % 2:
                        current += '"'
                        i = j + 1
                    else:
                        i = j
                    continue
                current += "\\" * count
                i = j
                continue
            if line[i] == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    current += '"'
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            current += line[i]
            i += 1
        argv.append(current)


def wait_for_release(state):
    release = os.path.join(state, "release")
    for _ in range(2400):
        if os.path.exists(release) or os.getppid() == 1:
            return
        time.sleep(0.05)


def session_sshd_pids():
    """This session's sshd processes: the ancestors titled 'sshd:' that are not the listener."""
    pids, pid = [], os.getppid()
    while pid > 1:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open("/proc/%d/stat" % pid) as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        if title.startswith("sshd") and "listener" not in title and " -D " not in title:
            pids.append(pid)
        pid = parent
    return pids


def main():
    state = os.environ.get("STANDIN_STATE") or fail("STANDIN_STATE is not set (the test sshd_config sets it)")
    original = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    if not original.startswith(PREFIX):
        # What cmd.exe would say for anything else [MS-CMD]; no other command form is simulated.
        fail("only ccm-upgrade's encoded PowerShell command is simulated, got: " + original[:80])
    bootstrap = base64.b64decode(original[len(PREFIX):]).decode("utf-16-le")
    for needle in ("$input | Out-String", 'Split(@("`0`0`0`0"), 2', "[ScriptBlock]::Create($ccmUpgradeParts[0])) $ccmUpgradeParts[1]"):
        if needle not in bootstrap:
            fail("the encoded command is not the bootstrap this stand-in knows")
    received = sys.stdin.buffer.read().decode("utf-8") + "\r\n"  # Out-String's final line break
    if "\0\0\0\0" not in received:
        sys.stderr.write("ccm-upgrade: the script did not arrive whole on standard input\n")
        sys.exit(1)
    script, payload = received.split("\0\0\0\0", 1)
    secrets = payload.split("\0")
    lines = script.replace("\r\n", "\n").split("\n")

    arguments, program, tag, in_arguments, pending = [], None, None, False, None
    for line in lines:
        stripped = line.strip()
        if pending is not None:
            pending += "\r\n" + line
            if not open_literal(pending):
                arguments.append(expression(pending.rstrip(), secrets))
                pending = None
        elif stripped == "$Arguments = @(":
            in_arguments = True
        elif in_arguments and stripped == ")":
            in_arguments = False
        elif in_arguments and open_literal(stripped):
            pending = line.lstrip()
        elif in_arguments:
            arguments.append(expression(stripped, secrets))
        elif stripped.startswith("$Program = Get-Command -Name "):
            program, _ = literal(stripped[len("$Program = Get-Command -Name "):])
        elif stripped.startswith("[Console]::Out.WriteLine(") and stripped.endswith(" started')"):
            tag = literal(stripped[len("[Console]::Out.WriteLine("):])[0][: -len(" started")]
    if program is None or tag is None:
        fail("the script does not have the shape this stand-in knows")

    with open(os.path.join(state, "sessions.log"), "a") as log:
        masked = [a for a in arguments]
        for secret in secrets:
            if secret.strip():
                masked = [a.replace(secret, "********") for a in masked]
        log.write(" ".join([program] + masked) + "\n")

    fault = ""
    if os.path.exists(os.path.join(state, "fault")):
        with open(os.path.join(state, "fault")) as f:
            fault = f.readline().strip()

    executable = shutil.which(program, path=os.environ.get("STANDIN_PATH", os.defpath))
    if executable is None:
        print(tag + " not-found", flush=True)
        sys.exit(9009 % 256)
    print(tag + " started", flush=True)
    if fault == "hold-before-command":
        print("stand-in: holding", flush=True)
        wait_for_release(state)
        sys.exit(1)
    native = command_line_to_argv(legacy_join([convert_to_native_argument(a) for a in arguments]))
    environment = dict(os.environ)
    extra = os.path.join(state, "environment")
    if os.path.exists(extra):
        with open(extra, encoding="utf-8") as f:
            for line in f.read().splitlines():
                name, _, value = line.partition("=")
                if name:
                    environment[name] = value
    code = subprocess.run([executable] + native, env=environment).returncode
    if fault == "hold-after-command":
        print("stand-in: holding", flush=True)
        wait_for_release(state)
    if fault == "cut-after-command":
        sys.stdout.flush()
        for pid in session_sshd_pids():
            os.kill(pid, signal.SIGKILL)
        sys.exit(1)
    print("%s exit %d" % (tag, code), flush=True)
    sys.exit(code % 256)


if __name__ == "__main__":
    main()
