import Diagnostics
import Repository

/// The progress line at the bottom of a terminal. Drawing it is ``DiagnosticPrinter``'s job (one writer of
/// stderr, so log and error lines scroll above the bar); this is what the bar says.
enum StatusLine {
    /// The printer that draws the bar and every other stderr line.
    static var shared: DiagnosticPrinter { .shared }

    /// `internalize [#########---------------] 37/120  pushed 30  present 5  problems 2`
    static func bar(_ progress: InternalizeProgress, width: Int = 24) -> String {
        let filled = progress.total == 0 ? width : min(width, progress.finished * width / progress.total)
        return "internalize [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(progress.finished)/\(progress.total)  pushed \(progress.pushed)  present \(progress.alreadyPresent)  problems \(progress.problems)"
    }
}
