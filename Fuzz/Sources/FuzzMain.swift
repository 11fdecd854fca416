#if FUZZING
    import CFuzzerDriver
#endif
import Foundation

/// `ccm-upgrade-fuzz TARGET [libFuzzer options] [CORPUS...]`.
///
/// Built by scripts/fuzz.sh (CCM_UPGRADE_FUZZ=1, see Package.swift), it hands TARGET's reader to libFuzzer.
/// The ordinary build compiles it plain, as a replayer, so it never rots and a crash input can be checked by
/// hand: `ccm-upgrade-fuzz TARGET FILE...` runs each file through the target once.
@main
enum FuzzMain {
    /// Carries the target to the processes libFuzzer's -fork and -jobs modes start (their argv is
    /// libFuzzer's own, without the target's name).
    static let targetVariable = "CCM_UPGRADE_FUZZ_TARGET"

    static func main() {
        var arguments = CommandLine.arguments
        if arguments.count == 2, arguments[1] == "--list" {
            print(FuzzTarget.all.map(\.name).joined(separator: "\n"))
            return
        }
        let target: FuzzTarget
        if let name = ProcessInfo.processInfo.environment[targetVariable], let inherited = FuzzTarget.named(name) {
            target = inherited
        } else if arguments.count >= 2, let named = FuzzTarget.named(arguments[1]) {
            target = named
            arguments.remove(at: 1)
        } else {
            let names = FuzzTarget.all.map { "  \($0.name.padding(toLength: 12, withPad: " ", startingAt: 0))\($0.summary)" }
            FileHandle.standardError.write(Data("usage: ccm-upgrade-fuzz TARGET [options] [CORPUS...]\ntargets:\n\(names.joined(separator: "\n"))\n".utf8))
            exit(2)
        }
        #if FUZZING
            setenv(targetVariable, target.name, 1)
            exit(fuzz(target, arguments: arguments))
        #else
            for path in arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("ccm-upgrade-fuzz: cannot read \(path)\n".utf8))
                    exit(1)
                }
                target.run([UInt8](data))
            }
            print("\(target.name): \(arguments.count - 1) input(s) replayed without a crash")
        #endif
    }
}

#if FUZZING
    /// The target libFuzzer's callback runs: set once before the driver starts, only read after.
    nonisolated(unsafe) private var selected: FuzzTarget?

    /// Runs libFuzzer's driver over `target`; `arguments` are libFuzzer's (argv[0] first).
    private func fuzz(_ target: FuzzTarget, arguments: [String]) -> CInt {
        selected = target
        var argc = CInt(arguments.count)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        return argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress
            return LLVMFuzzerRunDriver(&argc, &base) { data, size in fuzzerTestOneInput(data, size) }
        }
    }

    /// libFuzzer's callback, under its conventional name too: the main libFuzzer links in (and never runs)
    /// refers to it.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        selected?.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#endif
