import FileSupport
import Foundation
import Testing

@Suite("Atomic file writes")
struct AtomicFileTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "ccm-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(arguments: [0, 1, 4096, 3 << 20])
    func replacesTheWholeFileAndLeavesNoTemporary(size: Int) throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/journal.json"
        try AtomicFile.write("old content that is longer than some of the new ones", to: path)
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(bytes, to: path, permissions: 0o600)
        #expect(FileManager.default.contents(atPath: path).map(Array.init) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["journal.json"])
    }

    @Test func newFilesGetTheRequestedPermissions() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try AtomicFile.write("secret-free but private", to: directory + "/private.json", permissions: 0o600)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/private.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test func aFailureNamesTheFileAndKeepsTheOldContent() throws {
        let directory = try folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missingFolder = directory + "/no/such/folder/plan.json"
        let error = #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: missingFolder) }
        #expect(error?.path == missingFolder)
        #expect(error?.description.contains("cannot create") == true)
        // A destination that is a folder: the rename fails, the temporary file is removed, the folder stays.
        let occupied = directory + "/occupied"
        try FileManager.default.createDirectory(atPath: occupied + "/inside", withIntermediateDirectories: true)
        #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: occupied) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["occupied"])
    }
}
