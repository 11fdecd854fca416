import Foundation
import Nupkg

/// Inside the air gap: checks a whole bundle, then pushes its packages to the internal feed. Nothing is pushed
/// unless every entry matched the manifest (the packages are extracted while they are checked, and the pushed
/// files are those checked bytes). Pushes are idempotent: a package the feed already holds with the same bytes
/// counts as present; one it holds with different bytes is reported and left alone.
public struct BundleImporter: Sendable {
    public var target: any PackageFeed
    /// Where the bundle's entries are extracted (kept: a rerun checks the bundle again and re-extracts).
    public var workDirectory: String
    public var pushTimeout: Int?
    public var log: @Sendable (String) -> Void

    public init(target: any PackageFeed, workDirectory: String, pushTimeout: Int? = nil, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.target = target
        self.workDirectory = workDirectory
        self.pushTimeout = pushTimeout
        self.log = log
    }

    /// Verifies `bundle` in full, then pushes each package in the manifest's order. Throws (before any push)
    /// when the bundle fails its check; push failures are items of the summary.
    public func run(_ bundle: String) async throws(BundleError) -> (verified: VerifiedBundle, summary: InternalizeSummary) {
        let folder = workDirectory + "/bundle"
        log("checking \(bundle) against its manifest")
        let verified = try await BundleReader.verify(bundle, extractingTo: folder)
        log("\(bundle): \(verified.manifest.packages.count) packages match the manifest")
        var items: [InternalizeItem] = []
        for package in verified.manifest.packages {
            var item = InternalizeItem(id: package.id, version: package.version, source: bundle, reason: "in the bundle", status: .failed)
            guard let file = verified.file(of: package) else { continue }
            item.sha512 = PackageHash(digest: Self.bytes(hex: package.file.sha512)).base64
            do throws(FeedError) {
                log("\(package.id) \(package.version): pushing to \(target.name)")
                let report = try await target.push(fileAt: file, timeout: pushTimeout)
                switch report.outcome {
                case .pushed: item.status = .pushed
                case .alreadyPresent: item.status = .alreadyPresent
                case let .differentContent(feedHash):
                    item.status = .differentContent
                    item.detail = "the target has different bytes (SHA-512 \(feedHash)); nothing was overwritten"
                }
            } catch {
                item.detail = "\(error)"
            }
            items.append(item)
        }
        return (verified, InternalizeSummary(target: target.name, items: items))
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for byte in hex.utf8 {
            let value: UInt8 = byte <= 0x39 ? byte - 0x30 : byte - 0x61 + 10
            if let pending = high { result.append(pending << 4 | value); high = nil } else { high = value }
        }
        return result
    }
}
