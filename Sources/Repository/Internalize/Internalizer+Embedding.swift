import CurlSupport
import FileSupport
import Foundation
import Internalization
import Nupkg

extension Internalizer {
    /// The file to push for `planned`: the original for copies (``embedding`` nil, licensed packages, packages
    /// with nothing to embed, unresolved packages the user named), else the internalized package written to
    /// the output folder. Fills in `item.embedding`; throws ``FeedError/notInternalized(package:reason:)`` when
    /// the package must not be pushed.
    func prepareForPush(_ planned: Planned, original: String, originalHash: PackageHash,
                        item: inout InternalizeItem) async throws(FeedError) -> (file: String, hash: PackageHash) {
        guard let embedding else { return (original, originalHash) }
        let identity = planned.package.identity
        var outcome = EmbeddingOutcome(mode: "licensed", resources: [], unresolved: [], needsInternet: false, originalSHA512: originalHash.base64)
        if embedding.licensedReason(id: planned.package.id, source: planned.source) != nil {
            item.embedding = outcome
            return (original, originalHash)
        }
        let report: ResourceReport
        do {
            report = try await Blocking.run { () throws(FindingFailure) -> ResourceReport in
                do { return try embedding.finder(original) } catch { throw FindingFailure(message: "\(error)") }
            }
        } catch {
            throw .notInternalized(package: identity.description, reason: "its scripts cannot be read: \(error.message)")
        }
        outcome.unresolved = report.unresolved.map { "\($0.call.location): \($0.helper): \($0.reason)" }
        if !report.unresolved.isEmpty {
            guard embedding.copyUnresolved.contains(planned.package.id.lowercased()) else {
                item.embedding = outcome
                throw .notInternalized(package: identity.description, reason: "\(report.unresolved.count) download(s) cannot be resolved statically ("
                    + outcome.unresolved.joined(separator: "; ") + "); an offline install would fail. To push it anyway, unchanged, name it "
                    + "with --copy-unresolved \(planned.package.id) (it will still need the internet at install)")
            }
            outcome.mode = "copiedUnresolved"
            outcome.needsInternet = true
            item.embedding = outcome
            log("warning: \(identity): copied as it is, as asked: installing it still needs the internet")
            return (original, originalHash)
        }
        guard !report.resources.isEmpty else {
            outcome.mode = "nothingToEmbed"
            item.embedding = outcome
            return (original, originalHash)
        }
        let verified = try await fetchAll(report.resources, for: identity.description, using: embedding.fetcher, progress: embedding.resourceProgress)
        if case .location = embedding.placement, let location = embedding.location {
            try await place(verified, of: report, at: location, identity: identity)
        }
        let destination = embedding.outputDirectory + "/" + identity.fileName
        let job = PackageEmbedder.Job(package: original, report: report, resources: verified, placement: embedding.placement,
                                      insertChecksums: embedding.fetcher.allowMissingChecksums, destination: destination)
        let record: EmbeddingRecord
        let hash: PackageHash
        do {
            try FileManager.default.createDirectory(atPath: embedding.outputDirectory, withIntermediateDirectories: true)
            // The package's SHA-512 is computed while it is written: no second pass over gigabytes of installers.
            (record, hash, _) = try await Blocking.run { () throws(EmbeddingError) -> (record: EmbeddingRecord, hash: PackageHash, size: Int64) in
                try PackageEmbedder.embedAndHash(job)
            }
        } catch let error as EmbeddingError {
            throw .notInternalized(package: identity.description, reason: error.description)
        } catch {
            throw .fileError(path: embedding.outputDirectory, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        outcome.mode = record.placement
        outcome.resources = record.resources
        item.embedding = outcome
        log("\(identity): \(record.resources.count) resource(s) \(record.placement == "embedded" ? "embedded" : "placed at the resources location")")
        return (destination, hash)
    }

    /// Every resource downloaded and verified (at once, within the transport's limit); the first failure
    /// refuses the package.
    private func fetchAll(_ resources: [RemoteResource], for package: String,
                          using fetcher: ResourceFetcher,
                          progress: @escaping @Sendable (String) -> (@Sendable (Int64, Int64) -> Void)?) async throws(FeedError)
        -> [String: VerifiedResource] {
        var unique: [RemoteResource] = []
        for resource in resources where !unique.contains(where: { $0.url == resource.url }) { unique.append(resource) }
        // Checked before any download: a missing or malformed checksum refuses the package without traffic.
        for resource in unique {
            do { _ = try fetcher.expectation(for: resource) } catch { throw .notInternalized(package: package, reason: error.description) }
        }
        let results = await withTaskGroup(of: Result<VerifiedResource, ResourceError>.self) { group in
            for resource in unique {
                group.addTask {
                    do throws(ResourceError) {
                        return .success(try await fetcher.fetch(resource, progress: progress(resource.url)))
                    } catch { return .failure(error) }
                }
            }
            var collected: [Result<VerifiedResource, ResourceError>] = []
            for await result in group { collected.append(result) }
            return collected
        }
        var verified: [String: VerifiedResource] = [:]
        var failures: [String] = []
        for result in results {
            switch result {
            case let .success(file): verified[file.url] = file
            case let .failure(error): failures.append(error.description)
            }
        }
        guard failures.isEmpty else { throw .notInternalized(package: package, reason: failures.sorted().joined(separator: "; ")) }
        return verified
    }

    /// Copies (folder) or uploads (web) each verified file to its place under the resources location. A file
    /// already there with the same bytes is left; different bytes are never overwritten.
    private func place(_ verified: [String: VerifiedResource], of report: ResourceReport, at location: ResourceLocation,
                       identity: PackageIdentity) async throws(FeedError) {
        var urls: [String] = []
        for resource in report.resources where !urls.contains(resource.url) { urls.append(resource.url) }
        let names = PackageEmbedder.fileNames(for: urls)
        for url in urls {
            guard let file = verified[url], let name = names[url] else { continue }
            switch location {
            case let .folder(path):
                let target = PackageEmbedder.locationPath(base: path, id: identity.id, version: identity.version.normalized, file: name)
                try await copyToShare(file, target: target)
            case let .web(base, credentials):
                let target = PackageEmbedder.locationPath(base: base, id: identity.id, version: identity.version.normalized, file: name)
                let request = HTTPRequest(method: .put, url: target, body: .file(path: file.path), destination: .memory(limit: 1 << 20),
                                          credentials: credentials)
                let response = try await embedding?.fetcher.http.sendForFeed(request)
                guard let response, response.isSuccess else {
                    throw .notInternalized(package: identity.description,
                                           reason: "\(target): the resources location refused the upload: HTTP \(response?.status ?? 0) \(response?.bodySnippet ?? "")")
                }
            }
        }
    }

    private func copyToShare(_ file: VerifiedResource, target: String) async throws(FeedError) {
        let folder = (target as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .fileError(path: folder, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        if FileManager.default.fileExists(atPath: target) {
            let there = try? await Blocking.run { () throws(FileIOError) -> HashedFile in try FileIO.sha512(ofFileAt: target) }
            guard let there, ResourceChecksum.hex(of: there.sha512) == file.digests[.sha512] else {
                throw .fileError(path: target, reason: "a different file is already there; nothing was overwritten (remove it to replace it)")
            }
            return
        }
        let temporary = TemporaryFiles.path(beside: target)
        defer { unlink(temporary) }
        let copied = try await FileCopy.copy(from: file.path, to: temporary)
        guard copied.sha512.hex == file.digests[.sha512] else {
            throw .fileError(path: target, reason: "the copy does not match the verified file")
        }
        try FileCopy.renameNoReplace(temporary, to: target)
    }
}

/// A finder failure carried across ``Blocking/run(_:)`` (typed throws need a concrete error).
struct FindingFailure: Error {
    let message: String
}
