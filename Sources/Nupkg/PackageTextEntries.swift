extension PackageReader {
    /// The manifest and the data of the file entries whose (percent-decoded) names pass `include`: what the
    /// internalizer reads of a package's scripts without extracting it. Each entry is limited to
    /// `entryLimit` bytes and all of them together to `totalLimit`, so a hostile package cannot fill memory.
    public static func readManifestAndEntries(
        at path: String, entryLimit: Int64 = 4 << 20, totalLimit: Int64 = 64 << 20, include: (String) -> Bool
    ) throws(NupkgError) -> (nuspec: Nuspec, files: [String: [UInt8]]) {
        let reader = try ArchiveReader(path: path)
        var files: [String: [UInt8]] = [:]
        var manifests: [String] = []
        var manifestBytes: [UInt8]?
        var total: Int64 = 0
        while let raw = try reader.nextEntry() {
            let name = EntryName.percentDecoded(raw.name)
            guard raw.kind == .file else {
                try reader.skipData()
                continue
            }
            if NupkgLayout.isRootManifest(name) {
                manifests.append(name)
                if manifestBytes == nil {
                    manifestBytes = try reader.readData(limit: Int64(NuspecReader.sizeLimit), expectedSize: raw.declaredSize)
                    continue
                }
            } else if include(name) {
                let data = try reader.readData(limit: entryLimit, expectedSize: raw.declaredSize)
                total += Int64(data.count)
                guard total <= totalLimit else {
                    throw .limitExceeded(path: path, reason: "its scripts are larger than \(totalLimit) bytes together")
                }
                files[name] = data
                continue
            }
            try reader.skipData()
        }
        guard let manifestBytes, let manifestName = manifests.first else { throw .noManifest(path: path) }
        guard manifests.count == 1 else { throw .multipleManifests(path: path, names: manifests) }
        return (try NuspecReader.read(manifestBytes, source: "\(path)!\(manifestName)"), files)
    }
}
