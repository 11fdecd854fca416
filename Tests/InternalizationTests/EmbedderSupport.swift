import Foundation
import Internalization
import Nupkg
import PowerShell

/// Builds test packages and the resource reports a finder would give for them (spans located by text).
enum EmbedFixture {
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "ccm-embed-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func nuspec(id: String, version: String) -> [UInt8] {
        Array("""
        <?xml version="1.0" encoding="utf-8"?>
        <package xmlns="http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd">
          <metadata><id>\(id)</id><version>\(version)</version><authors>test</authors><description>test package</description></metadata>
        </package>
        """.utf8)
    }

    /// Writes `id.version.nupkg` with `files` (package path → bytes) into `folder`.
    static func package(in folder: String, id: String, version: String, files: [String: [UInt8]]) throws -> String {
        let path = folder + "/\(id).\(version).nupkg"
        try PackageWriter.write(nuspecXML: nuspec(id: id, version: version),
                                files: files.keys.sorted().map { PackageWriter.File(target: $0, content: .bytes(files[$0]!)) }, to: path)
        return path
    }

    /// The span of the `occurrence`-th `text` in `bytes` (0-based).
    static func span(of text: String, in bytes: [UInt8], file: String, occurrence: Int = 0) -> SourceSpan {
        let needle = Array(text.utf8)
        var found = -1
        var seen = 0
        var index = 0
        while index + needle.count <= bytes.count {
            if Array(bytes[index..<index + needle.count]) == needle {
                if seen == occurrence { found = index; break }
                seen += 1
            }
            index += 1
        }
        precondition(found >= 0, "'\(text)' not in the script")
        let line = bytes[..<found].filter { $0 == 0x0A }.count + 1
        return SourceSpan(file: file, line: line, column: 1, start: found, end: found + needle.count)
    }

    /// A resource whose URL is the literal `'url'` in `script`.
    static func resource(url: String, in script: [UInt8], file: String = "tools/chocolateyInstall.ps1", architecture: RemoteResource.Architecture = .any,
                         checksum: String?, type: String?, insertAfter: String? = nil, style: RemoteResource.InsertionStyle? = nil,
                         occurrence: Int = 0) -> RemoteResource {
        let site = span(of: "'\(url)'", in: script, file: file, occurrence: occurrence)
        let insertion = insertAfter.map { span(of: $0, in: script, file: file) }
        return RemoteResource(url: url, architecture: architecture, checksum: checksum, checksumType: type, helper: "Install-ChocolateyPackage",
                              call: site, urlSite: site, insertion: insertion, insertionStyle: insertion == nil ? nil : style)
    }

    /// A file of `size` pseudo-random bytes (seeded: the same every run).
    static func installer(at path: String, size: Int, seed: UInt64) throws -> VerifiedResource {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: size)
        for index in bytes.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let digests = try ResourceChecksum.digests(ofFileAt: path, types: Set(ChecksumType.allCases))
        return VerifiedResource(url: "", path: path, size: digests.size, digests: digests.hex)
    }

    /// The files of a package (extracted), by decoded name.
    static func contents(of package: String) throws -> [String: [UInt8]] {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var result: [String: [UInt8]] = [:]
        for name in try PackageExtractor.extract(package, to: folder + "/x") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/x/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[name] = Array(FileManager.default.contents(atPath: folder + "/x/" + name) ?? Data())
            }
        }
        return result
    }
}
