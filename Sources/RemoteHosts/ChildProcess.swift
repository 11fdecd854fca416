import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Runs one child process (choco here, `ssh` to a CCM host) through swift-subprocess: an argument vector, never a
/// shell string; optional standard-input bytes (how secrets travel: never in an argument or the environment); an
/// explicit environment (`ChildEnvironment`); each output line handed to a callback while the child runs, and the
/// whole output kept for the caller's checks; the exit code or the signal that ended it. Cancelling the calling
/// task (Ctrl-C, see the executable's `Interrupt.swift`) terminates the child: SIGTERM to its process group, SIGKILL
/// after `terminationGrace`.
///
/// swift-subprocess does its I/O on its own thread (epoll), so waiting for a long choco upgrade holds no thread of
/// the cooperative pool.
public struct ChildProcess: Sendable {
    public var executable: ExecutableReference
    public var arguments: [String]
    /// The child's whole environment (not added to this process's).
    public var environment: [String: String]
    /// Written to the child's standard input, which is then closed; `nil`: the child reads end-of-file at once.
    public var standardInput: [UInt8]?
    public var workingDirectory: String?
    /// How long a cancelled child gets between SIGTERM and SIGKILL.
    public var terminationGrace: Duration
    /// Output kept in `ChildProcessResult.lines` at most (the callback still sees every line beyond it).
    public var keptOutputLimit: Int

    public init(
        executable: ExecutableReference, arguments: [String], environment: [String: String], standardInput: [UInt8]? = nil,
        workingDirectory: String? = nil, terminationGrace: Duration = .seconds(5), keptOutputLimit: Int = 16 * 1024 * 1024
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.workingDirectory = workingDirectory
        self.terminationGrace = terminationGrace
        self.keptOutputLimit = keptOutputLimit
    }

    /// Runs the child to its end. Every output line goes to `onLine` as soon as it is complete (called from the
    /// reading task: keep it short). A non-zero exit is a result, not an error.
    /// - Throws: `ChildProcessError.cannotStart` when the program cannot be found or started, `.interrupted` when
    ///   the calling task was cancelled (the child has been terminated by then).
    public func run(onLine: @escaping @Sendable (OutputLine) -> Void = { _ in }) async throws(ChildProcessError) -> ChildProcessResult {
        Self.ignoreBrokenPipe()
        let collector = OutputCollector(limit: keptOutputLimit, onLine: onLine)
        var options = PlatformOptions()
        #if !os(Windows)
            // Its own process group: the teardown below reaches whatever the child started (choco's installers), and
            // the terminal's Ctrl-C reaches only this process, which decides (a journal entry first, then the child).
            options.processGroupID = 0
            options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: terminationGrace)]
        #else
            options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: terminationGrace)]
        #endif
        let configuration = Configuration(
            executable: executable.subprocessExecutable,
            arguments: Arguments(arguments),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: options
        )
        let outcome: ExecutionResult<Void, SequenceOutput, SequenceOutput>
        do {
            outcome = try await Subprocess.run(configuration, input: .inputWriter, output: .sequence, error: .sequence) { execution in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await collector.read(execution.standardOutput, as: .standardOutput) }
                    group.addTask { try await collector.read(execution.standardError, as: .standardError) }
                    if let bytes = standardInput, !bytes.isEmpty {
                        // A child that exits without reading its input closes the pipe: not an error of ours.
                        _ = try? await execution.standardInputWriter.write(bytes)
                    }
                    try? await execution.standardInputWriter.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            if Task.isCancelled { throw .interrupted(executable: executable.description) }
            throw .cannotStart(executable: executable.description, reason: Self.reason(error, executable: executable))
        }
        if Task.isCancelled { throw .interrupted(executable: executable.description) }
        let termination: Termination =
            switch outcome.terminationStatus {
            case .exited(let code): .exited(Int32(truncatingIfNeeded: code))
            case .signaled(let signal): .signaled(Int32(truncatingIfNeeded: signal))
            }
        let kept = collector.finish()
        return ChildProcessResult(termination: termination, lines: kept.lines, outputTruncated: kept.truncated)
    }

    /// A child that exits before reading all of its input closes the pipe; writing more would raise SIGPIPE, whose
    /// default kills this process. Ignored, the write fails with EPIPE instead. (Children get default dispositions:
    /// swift-subprocess spawns with POSIX_SPAWN_SETSIGDEF.)
    private static func ignoreBrokenPipe() {
        #if !os(Windows)
            _ = brokenPipeIgnored
        #endif
    }

    #if !os(Windows)
        private static let brokenPipeIgnored: Bool = {
            signal(SIGPIPE, SIG_IGN)
            return true
        }()
    #endif

    private static func reason(_ error: any Error, executable: ExecutableReference) -> String {
        if let error = error as? SubprocessError, error.code == .executableNotFound {
            if case .name(let name) = executable { return "'\(name)' was not found in any folder of PATH" }
        }
        if case .path(let path) = executable, ExecutableReference.Platform.current == .posix, ExecutableReference.isWindowsPath(path) {
            return "it is a Windows path and this machine is not Windows (give the host's SSH address in the inventory to run it there)"
        }
        return "\(error)"
    }
}

extension ExecutableReference {
    fileprivate var subprocessExecutable: Executable {
        switch self {
        case .name(let name): .name(name)
        case .path(let path): .path(FilePath(path))
        }
    }
}

/// One line a child wrote, and where.
public struct OutputLine: Sendable, Hashable {
    public enum Stream: String, Sendable, Hashable {
        case standardOutput = "stdout"
        case standardError = "stderr"
    }

    public var stream: Stream
    public var text: String

    public init(_ stream: Stream, _ text: String) {
        self.stream = stream
        self.text = text
    }
}

/// How a child ended.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }
}

/// What a finished child left: how it ended and its output lines in the order they arrived.
public struct ChildProcessResult: Sendable {
    public var termination: Termination
    public var lines: [OutputLine]
    /// More output came than `ChildProcess.keptOutputLimit`; `lines` holds the start.
    public var outputTruncated: Bool

    public init(termination: Termination, lines: [OutputLine], outputTruncated: Bool = false) {
        self.termination = termination
        self.lines = lines
        self.outputTruncated = outputTruncated
    }

    /// The exit code, or `nil` when a signal ended the child.
    public var exitCode: Int32? {
        if case .exited(let code) = termination { return code }
        return nil
    }

    public var standardOutput: String { text(of: .standardOutput) }
    public var standardError: String { text(of: .standardError) }
    /// Both streams interleaved as they arrived (what a person at a terminal would have seen).
    public var combinedOutput: String { lines.map(\.text).joined(separator: "\n") }

    private func text(of stream: OutputLine.Stream) -> String {
        lines.filter { $0.stream == stream }.map(\.text).joined(separator: "\n")
    }
}

/// Why a child could not run.
public enum ChildProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotStart(executable: String, reason: String)
    /// The calling task was cancelled; the child was terminated.
    case interrupted(executable: String)

    public var description: String {
        switch self {
        case .cannotStart(let executable, let reason): "cannot start '\(executable)': \(reason)"
        case .interrupted(let executable): "interrupted: '\(executable)' was terminated"
        }
    }
}

/// Lines of both streams in arrival order, up to a byte limit, each handed to the callback as it completes.
private final class OutputCollector: Sendable {
    private struct State {
        var lines: [OutputLine] = []
        var keptBytes = 0
        var truncated = false
    }

    private let state = Mutex(State())
    private let limit: Int
    private let onLine: @Sendable (OutputLine) -> Void

    init(limit: Int, onLine: @escaping @Sendable (OutputLine) -> Void) {
        self.limit = limit
        self.onLine = onLine
    }

    func read(_ sequence: SubprocessOutputSequence, as stream: OutputLine.Stream) async throws {
        var assembler = LineAssembler()
        for try await buffer in sequence {
            let bytes = buffer.withUnsafeBytes { Array($0) }
            for text in assembler.append(bytes) { deliver(OutputLine(stream, text)) }
        }
        if let last = assembler.finish() { deliver(OutputLine(stream, last)) }
    }

    private func deliver(_ line: OutputLine) {
        state.withLock { state in
            if state.keptBytes + line.text.utf8.count + 1 > limit {
                state.truncated = true
            } else {
                state.keptBytes += line.text.utf8.count + 1
                state.lines.append(line)
            }
        }
        onLine(line)
    }

    func finish() -> (lines: [OutputLine], truncated: Bool) {
        state.withLock { ($0.lines, $0.truncated) }
    }
}
