import FileSupport
import Foundation
import Testing

@Suite("Stale temporaries from a crashed run")
struct TemporaryFilesTests {
    /// The pid of a process that has exited (and been reaped), so no process has it for now.
    private func deadPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func namesCarryThePidAndLandBesideTheDestination() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let temporary = TemporaryFiles.path(beside: sandbox.file("plan.json"))
        #expect(temporary.hasPrefix(sandbox.file("plan.json.tmp-\(getpid())-")))
    }

    @Test func removesTemporariesOfDeadWritersAndOldOnesOnly() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let dead = try deadPid()
        let names = [
            "plan.json.tmp-\(dead)-abc12",  // writer gone: removed
            "journal.json.tmp-1-zz",  // pid 1 runs, but the file is two days old: removed
            "fresh.json.tmp-1-zz",  // pid 1 runs and the file is new: kept
            "mine.nupkg.tmp-\(getpid())-q",  // this process may be writing it: kept
            "notes.tmp", "a.tmp-12", "b.tmp-x-1", "c.tmp-12-ABC",  // not our pattern: kept
        ]
        for name in names { sandbox.write(name, [1]) }
        let old = Date().addingTimeInterval(-2 * 24 * 60 * 60)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: sandbox.file("journal.json.tmp-1-zz"))
        let removed = TemporaryFiles.removeStale(in: sandbox.path)
        #expect(removed == ["journal.json.tmp-1-zz", "plan.json.tmp-\(dead)-abc12"])
        #expect(try sandbox.names() == names.filter { !removed.contains($0) }.sorted())
    }

    @Test func theFirstAtomicWriteIntoAFolderCleansIt() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        sandbox.write("plan.json.tmp-\(try deadPid())-1", [1])
        try AtomicFile.write("{}", to: sandbox.file("plan.json"))
        #expect(try sandbox.names() == ["plan.json"])
    }
}
