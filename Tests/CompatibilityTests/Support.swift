import Compatibility
import Foundation
import Testing
import Versioning

/// The embedded matrix, loaded once per use (loading is cheap and keeps tests independent).
func embedded() throws -> Matrix {
    try Matrix.embedded()
}

func v(_ text: String) -> NuGetVersion {
    // Test tables are literals; a typo there should fail loudly rather than be skipped.
    guard let version = NuGetVersion(text) else { fatalError("bad test version \(text)") }
    return version
}

/// The embedded files with one of them changed, for building malformed matrices.
func files(replacing name: String, _ transform: (String) -> String) -> [(name: String, text: String)] {
    Matrix.embeddedFiles.map { $0.name == name ? ($0.name, transform($0.text)) : $0 }
}

/// Replaces the first occurrence only, so a test changes exactly one row.
func replacingFirst(_ text: String, _ target: String, _ replacement: String) -> String {
    guard let range = text.range(of: target) else { fatalError("'\(target)' not in the file") }
    return text.replacingCharacters(in: range, with: replacement)
}

/// The 1-based line of the first occurrence of `needle`.
func line(of needle: String, in text: String) -> Int {
    guard let range = text.range(of: needle) else { return -1 }
    return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
}

func text(of name: String) -> String {
    Matrix.embeddedFiles.first { $0.name == name }?.text ?? ""
}

/// The repository's matrix/ folder, found from this file's path.
let repositoryMatrixFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("matrix").path

/// A fresh temporary folder holding `files`.
func temporaryMatrixFolder(_ files: [(name: String, text: String)]) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ccm-matrix-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, text) in files {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }
    return folder.path
}

func group(_ name: String = "default", agent: String? = nil, ext: String? = nil, choco: String? = nil) -> AgentGroup {
    var packages: [String: NuGetVersion] = [:]
    if let agent { packages[CCMCatalogue.standard.agentID] = v(agent) }
    if let ext { packages[CCMCatalogue.standard.extensionID] = v(ext) }
    if let choco { packages[CCMCatalogue.standard.chocolateyID] = v(choco) }
    return AgentGroup(name: name, packages: packages)
}

extension CheckReport {
    func rules(_ severity: Finding.Severity) -> [String] { findings.filter { $0.severity == severity }.map(\.rule) }
    func has(_ rule: String, _ severity: Finding.Severity) -> Bool { findings.contains { $0.rule == rule && $0.severity == severity } }
}
