import Foundation
@testable import Nupkg

/// A fresh temporary folder per test, removed by the caller with `cleanup()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ccm-upgrade-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    /// Every path under the folder, relative, sorted.
    func listing() -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }
}

/// Builds archives entry by entry with libarchive, including hostile ones no packer would write.
struct ArchiveBuilder {
    enum Item: Sendable {
        case file(String, [UInt8])
        case rawName([UInt8], [UInt8])
        case symlink(String, String)
        case zeros(String, Int)
    }

    static func build(_ items: [Item], at path: String) throws {
        let writer = try ArchiveWriter(path: path)
        for item in items {
            switch item {
            case let .file(name, bytes): try writer.addFile(name: name, bytes: bytes)
            case let .rawName(name, bytes): try writer.addFile(rawName: name, bytes: bytes)
            case let .symlink(name, target): try writer.addSymlink(name: name, target: target)
            case let .zeros(name, count):
                try writer.addFile(name: name, size: Int64(count)) { (emit: (UnsafeRawBufferPointer) throws(NupkgError) -> Void) throws(NupkgError) in
                    let chunk = [UInt8](repeating: 0, count: 1 << 20)
                    var left = count
                    while left > 0 {
                        let size = min(left, chunk.count)
                        var outcome: Result<Void, NupkgError> = .success(())
                        chunk.withUnsafeBytes { buffer in
                            outcome = Result { () throws(NupkgError) in try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<size])) }
                        }
                        try outcome.get()
                        left -= size
                    }
                }
            }
        }
        try writer.close()
    }

    static func nuspec(id: String = "Attack.Test", version: String = "1.0.0", extra: String = "") -> [UInt8] {
        Array("""
        <?xml version="1.0" encoding="utf-8"?>
        <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
          <metadata><id>\(id)</id><version>\(version)</version><authors>a</authors><description>d</description>\(extra)</metadata>
        </package>
        """.utf8)
    }
}
