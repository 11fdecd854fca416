import Versioning

/// Cross-row validation: what `matrix lint` reports beyond single-field problems.
extension Matrix {
    func validate(reader: YAMLReader, pathPrefix: String) {
        validatePackages(reader, pathPrefix: pathPrefix)
        validateRows(reader)
        validateReleases(reader)
        validateDependencies(reader)
        validateBreaks(reader)
        validatePrerequisites(reader)
    }

    private func at(_ location: SourceLocation, _ field: String, _ problem: String) -> MatrixError {
        .inconsistent(file: location.file, line: location.line, field: field, problem: problem)
    }

    private func validatePackages(_ reader: YAMLReader, pathPrefix: String) {
        CCMCatalogue.validate(packages, serverUpgradeOrder, lines: packagesLines, file: pathPrefix + "packages.yaml", reader: reader)
    }

    private func validateRows(_ reader: YAMLReader) {
        var labels: [String: CCMRow] = [:]
        for row in rows {
            if let other = labels[row.label] {
                reader.error(at(row.location, "ccm", "row '\(row.label)' is also at line \(other.location.line)"))
            }
            labels[row.label] = row
            if let labelVersion = NuGetVersion(row.label), !row.ccmRange.contains(labelVersion) {
                reader.error(at(row.location, "ccm_range", "the row label \(row.label) is outside its own range \(row.ccmRange.prettyDescription)"))
            }
            for id in catalogue.clientIDs where row.requirement(for: id) == nil {
                reader.error(at(row.location, "requires", "row '\(row.label)' has no requirement for \(id)"))
            }
            for requirement in row.requirements where package(requirement.packageID)?.role != .client {
                reader.error(at(row.location, "requires.\(requirement.packageID)", "rows constrain client packages only; '\(requirement.packageID)' is not a client package"))
            }
            if row.inferred, row.provenance.note == nil {
                reader.warning(at(row.location, "provenance.note", "inferred row '\(row.label)' should say what it was inferred from"))
            }
        }
        let spans = rows.map { (range: $0.ccmRange, location: $0.location, name: "row '\($0.label)'") }
        checkCoverage(spans, what: "CCM rows", openEndAllowed: false, reader)
        // Minimums must not go backwards from one CCM version to the next.
        let ascending = rows.sorted { ($0.ccmRange.minVersion ?? NuGetVersion(major: 0)) < ($1.ccmRange.minVersion ?? NuGetVersion(major: 0)) }
        for (older, newer) in zip(ascending, ascending.dropFirst()) {
            for requirement in newer.requirements {
                guard let previous = older.requirement(for: requirement.packageID),
                      let now = requirement.range.minVersion, let before = previous.range.minVersion, now < before else { continue }
                reader.error(at(newer.location, "requires.\(requirement.packageID).min",
                    "minimum goes backwards: \(requirement.packageID) >= \(now) for CCM \(newer.label), but >= \(before) for the older CCM \(older.label) (line \(older.location.line))"))
            }
        }
        // A row must not allow less than its own minimum agent (or extension) needs.
        for row in rows {
            for requirement in row.requirements {
                guard let min = requirement.range.minVersion else { continue }
                for needed in dependencyRequirements(of: requirement.packageID, at: min) {
                    guard let rowRequirement = row.requirement(for: needed.packageID), let rowMin = rowRequirement.range.minVersion,
                          let neededMin = needed.range.minVersion, rowMin < neededMin else { continue }
                    reader.warning(at(row.location, "requires.\(needed.packageID).min",
                        "row '\(row.label)' allows \(needed.packageID) \(rowMin), but its minimum \(requirement.packageID) \(min) needs \(needed.packageID) >= \(neededMin) (product-dependencies.yaml)"))
                }
            }
        }
        if let newest = newestRow, newest.ccmRange.maxVersion == nil {
            reader.error(at(newest.location, "ccm_range.max_exclusive", "the newest row must end (max_exclusive); otherwise CCM versions nobody has checked would pass silently"))
        }
    }

    private func validateReleases(_ reader: YAMLReader) {
        var seen: [NuGetVersion: CCMRelease] = [:]
        for release in releases {
            if let other = seen[release.version] {
                reader.error(at(release.location, "version", "release \(release.version) is also at line \(other.location.line)"))
            }
            seen[release.version] = release
            if unlistedVersion(release.version) == nil, row(for: release.version) == nil {
                reader.error(at(release.location, "version", "release \(release.version) is in no row of ccm-compatibility.yaml and not in unlisted_versions"))
            }
        }
        let ascending = releases.sorted { $0.version < $1.version }
        for (older, newer) in zip(ascending, ascending.dropFirst()) where newer.date < older.date {
            reader.warning(at(newer.location, "date", "release \(newer.version) is dated \(newer.date), before the older release \(older.version) (\(older.date))"))
        }
        for unlisted in unlistedVersions {
            if let row = rows.first(where: { $0.ccmRange.contains(unlisted.version) }) {
                reader.error(at(unlisted.location, "ccm", "unlisted version \(unlisted.version) falls inside row '\(row.label)'"))
            }
        }
        // A row labelled with an exact version is that release's own evidence (see isKnownRelease).
        for row in rows where !releases.contains(where: { row.ccmRange.contains($0.version) }) && !(NuGetVersion(row.label).map(isKnownRelease) ?? false) {
            reader.warning(at(row.location, "ccm_range", "row '\(row.label)' covers no release in ccm-releases.yaml"))
        }
    }

    private func validateDependencies(_ reader: YAMLReader) {
        let byPackage = Dictionary(grouping: dependencyRules.filter { !$0.erratum }, by: \.packageID)
        for (packageID, rules) in byPackage {
            let sorted = rules.sorted { $0.version < $1.version }
            var latest: [String: (NuGetVersion, DependencyRule)] = [:]
            for rule in sorted {
                for requirement in rule.requires {
                    guard let min = requirement.range.minVersion else { continue }
                    if requirement.packageID == packageID {
                        reader.error(at(rule.location, "requires", "\(packageID) cannot depend on itself"))
                    }
                    if let (previousMin, previous) = latest[requirement.packageID] {
                        if previous.version == rule.version, previousMin != min {
                            reader.error(at(rule.location, "requires.\(requirement.packageID)",
                                "\(packageID) \(rule.version) needs \(requirement.packageID) >= \(min) here but >= \(previousMin) at line \(previous.location.line); mark the wrong one 'erratum: true'"))
                        } else if min < previousMin {
                            reader.error(at(rule.location, "requires.\(requirement.packageID)",
                                "minimum goes backwards: \(packageID) \(rule.version) needs \(requirement.packageID) >= \(min), but the older \(packageID) \(previous.version) (line \(previous.location.line)) needs >= \(previousMin)"))
                        }
                    }
                    latest[requirement.packageID] = (Swift.max(min, latest[requirement.packageID]?.0 ?? min), rule)
                }
            }
        }
    }

    private func validateBreaks(_ reader: YAMLReader) {
        var seen: [String: CommunicationBreak] = [:]
        for item in communicationBreaks {
            if let other = seen[item.id] {
                reader.error(at(item.location, "id", "break id '\(item.id)' is also used at line \(other.location.line)"))
            }
            seen[item.id] = item
            if item.whenPackage == item.requiresPackage {
                reader.error(at(item.location, "requires.package", "a break must relate two different packages"))
            }
        }
    }

    private func validatePrerequisites(_ reader: YAMLReader) {
        checkCoverage(dotnetEras.map { ($0.ccmRange, $0.location, ".NET era '\($0.runtime)'") }, what: ".NET eras", openEndAllowed: true, reader)
        checkCoverage(sqlServerMinimums.map { ($0.ccmRange, $0.location, "SQL Server \($0.minimum)") }, what: "SQL Server minimums", openEndAllowed: true, reader)
        checkCoverage(windowsServerMinimums.map { ($0.ccmRange, $0.location, "Windows Server \($0.minimum)") }, what: "Windows Server minimums", openEndAllowed: true, reader)
        for component in Set(powershellMinimums.compactMap(\.component)).sorted() {
            let items = powershellMinimums.filter { $0.component == component }
            checkCoverage(items.map { ($0.ccmRange, $0.location, "PowerShell \($0.minimum)") }, what: "PowerShell minimums for \(component)", openEndAllowed: true, reader)
            checkBackwards(items.map { ($0.ccmRange, $0.minimum, $0.location) }, what: "PowerShell for \(component)", reader)
        }
        checkBackwards(sqlServerMinimums.map { ($0.ccmRange, $0.minimum, $0.location) }, what: "SQL Server", reader)
        checkBackwards(windowsServerMinimums.map { ($0.ccmRange, $0.minimum, $0.location) }, what: "Windows Server", reader)
        checkBackwards(dotnetEras.compactMap { era in era.runtimeRange.minVersion.map { (era.ccmRange, $0, era.location) } }, what: ".NET runtime", reader)
        for rule in serverSetup {
            if rule.kind == .windowsFeatures, rule.features.isEmpty {
                reader.error(at(rule.location, "features", "a windows_features rule must name at least one feature"))
            }
            if rule.kind == .sqlServerService, let mode = rule.startMode, !["automatic", "manual", "disabled"].contains(mode) {
                reader.error(at(rule.location, "start_mode", "'\(mode)' is not a start mode; expected automatic, manual or disabled"))
            }
        }
        for era in dotnetEras {
            for package in era.packages {
                if self.package(package.id)?.role != .prerequisite {
                    reader.error(at(era.location, "packages.\(package.id)", "'\(package.id)' is not declared with role prerequisite in packages.yaml"))
                }
                for server in package.requiredBy where self.package(server)?.role != .server {
                    reader.error(at(era.location, "packages.\(package.id).for", "'\(server)' is not a server package"))
                }
                for pinned in package.docsPinned where !package.range.contains(pinned) {
                    reader.error(at(era.location, "packages.\(package.id).docs_pinned", "pinned version \(pinned) is outside the package's range \(package.range.prettyDescription)"))
                }
            }
            for pair in era.documentedPairs {
                for id in pair.keys.sorted() where !era.packages.contains(where: { $0.id == id }) {
                    reader.error(at(era.location, "documented_pairs.\(id)", "'\(id)' is not one of this era's packages"))
                }
            }
        }
    }

    /// Spans must tile the CCM versions: no overlaps, no gaps, starting at or before the oldest row, and
    /// (unless open-ended spans are allowed) ending with a bounded span.
    private func checkCoverage(_ spans: [(range: VersionRange, location: SourceLocation, name: String)], what: String, openEndAllowed: Bool, _ reader: YAMLReader) {
        let zero = NuGetVersion(major: 0)
        let sorted = spans.sorted { ($0.range.minVersion ?? zero) < ($1.range.minVersion ?? zero) }
        guard let first = sorted.first else { return }
        let oldestRow = rows.compactMap(\.ccmRange.minVersion).min()
        if let start = first.range.minVersion, let oldestRow, oldestRow < start {
            reader.error(at(first.location, "ccm_range.min", "\(what) start at \(start), so CCM \(oldestRow) (the oldest row) is in none of them"))
        }
        for (previous, next) in zip(sorted, sorted.dropFirst()) {
            guard let end = previous.range.maxVersion else {
                reader.error(at(previous.location, "ccm_range.max_exclusive", "\(previous.name) has no end but \(next.name) (line \(next.location.line)) follows it; the two overlap"))
                continue
            }
            let start = next.range.minVersion ?? zero
            if start < end {
                reader.error(at(next.location, "ccm_range", "\(next.name) overlaps \(previous.name) (line \(previous.location.line)): CCM versions >= \(start) and < \(end) are in both"))
            } else if end < start {
                reader.error(at(next.location, "ccm_range", "gap in \(what): CCM versions >= \(end) and < \(start) are in no entry (after \(previous.name), line \(previous.location.line))"))
            }
        }
        if openEndAllowed, let last = sorted.last, let end = last.range.maxVersion, let newestEnd = newestRow?.ccmRange.maxVersion, end < newestEnd {
            reader.error(at(last.location, "ccm_range.max_exclusive", "\(what) end at \(end), but the rows go up to \(newestEnd); CCM versions from \(end) on are in none"))
        }
    }

    private func checkBackwards<Value: Comparable & CustomStringConvertible>(_ items: [(VersionRange, Value, SourceLocation)], what: String, _ reader: YAMLReader) {
        let zero = NuGetVersion(major: 0)
        let sorted = items.sorted { ($0.0.minVersion ?? zero) < ($1.0.minVersion ?? zero) }
        for (older, newer) in zip(sorted, sorted.dropFirst()) where newer.1 < older.1 {
            reader.error(at(newer.2, "minimum", "minimum goes backwards: \(what) \(newer.1) here, but \(older.1) for older CCM versions (line \(older.2.line))"))
        }
    }
}
