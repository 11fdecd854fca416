import ArgumentParser
import Foundation

/// `--format`: text for people, JSON for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    // Spelled out: the defaults derive these through `String(describing:)`, whose reflection was the
    // largest single cost of parsing `--format` at start-up.
    static var allValueStrings: [String] { ["text", "json"] }
    var defaultValueDescription: String { rawValue }
}

/// Writes results to stdout and diagnostics to stderr.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }

    static func warning(_ text: String) {
        FileHandle.standardError.write(Data(("warning: " + text + "\n").utf8))
    }

    /// Pretty, key-sorted JSON so output is stable for CI diffs.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
