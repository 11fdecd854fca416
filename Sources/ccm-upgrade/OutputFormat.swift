import ArgumentParser
import Diagnostics
import Foundation
import JSONOutput
import Deployment
import Planning

/// `--format`: text for people, JSON for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json

    // Spelled out: the defaults derive these through `String(describing:)`, whose reflection was the
    // largest single cost of parsing `--format` at start-up.
    static var allValueStrings: [String] { ["text", "json"] }
    var defaultValueDescription: String { rawValue }
}

/// Writes results to stdout; diagnostics go to stderr through ``DiagnosticPrinter``.
enum Console {
    /// Standard output gets what stderr gets: registered secrets masked (stderr's printer also masks
    /// secret shapes; stdout keeps them, since plans show `/Password:<env:NAME>` references on purpose).
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((Redaction.redactKnown(text) + "\n").utf8))
    }

    static func error(_ text: String) { DiagnosticPrinter.shared.error(text) }

    static func warning(_ text: String) { DiagnosticPrinter.shared.warning(text) }

    /// The house JSON style (``JSONOutput``): key-sorted and stable for CI diffs.
    static func json<T: Encodable>(_ value: T) throws -> String { try JSONOutput.encode(value) }
}

// Flag-shaped values are parsed (and refused with the allowed values) by the argument parser, before any
// work starts: `--clients some` is "bad input" at once, not after the feed was queried.
extension Planner.ClientPolicy: ExpressibleByArgument {}
extension CreateMethod: ExpressibleByArgument {}
