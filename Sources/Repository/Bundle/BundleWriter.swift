import FileSupport
import Foundation
import Nupkg

/// Writes a bundle: the manifest first, then the plan, then every package streamed from disk, into a temporary
/// file beside the destination that is flushed and renamed into place only when complete. An interrupted
/// write leaves the destination as it was (no bundle, or the previous one).
enum BundleWriter {
    /// The files to store besides the manifest: archive path → file on disk.
    static func write(_ manifest: BundleManifest, files: [String: String], to destination: String) throws(BundleError) {
        let manifestBytes = try manifest.encoded()
        let temporary = TemporaryFiles.path(beside: destination)
        defer { unlink(temporary) }
        do {
            let writer = try TarWriter(path: temporary)
            try writer.add(name: BundleManifest.entryName, bytes: manifestBytes)
            for record in manifest.files {
                guard let source = files[record.path] else { throw NupkgError.cannotOpen(path: record.path, reason: "no file staged") }
                try writer.add(name: record.path, fileAt: source, size: record.size)
            }
            try writer.close()
        } catch {
            throw .io(path: destination, reason: "cannot write the bundle: \(error)")
        }
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw .io(path: temporary, reason: "cannot flush the bundle to disk: " + String(cString: strerror(errno)))
        }
        close(descriptor)
        do { try FileIO.rename(temporary, to: destination) } catch { throw .io(path: destination, reason: error.reason) }
    }
}
