import PowerShell

/// Finds what a package downloads at install time: every call of a download helper (``DownloadHelper/all``)
/// in the install script and the files it runs, with the URL, architecture, checksum and the place of each
/// value, from the scripts read statically (PowerShell's evaluator; nothing runs).
///
/// A URL that cannot be known before install time is reported as ``UnresolvedResource`` with its place and
/// reason, never guessed. URLs in comments or in strings no helper receives are not resources, unless
/// `allURLs` (choco's `--internalize-all-urls`). Local files (`file:` URLs, paths, the package's own files)
/// are not remote resources.
public enum ResourceFinder {
    /// The resources of `scripts`.
    public static func find(in scripts: PackageScripts, allURLs: Bool = false) -> ResourceReport {
        var collector = Collector()
        let entries = scripts.files.keys.filter { $0.lowercased().hasSuffix("chocolateyinstall.ps1") }.sorted()
        for entry in entries {
            let evaluation = Evaluator.evaluate(entry: entry, in: scripts.environment)
            for event in evaluation.events {
                guard let helper = DownloadHelper.named(event.name) else { continue }
                collector.add(event, helper: helper)
            }
            if allURLs {
                for occurrence in evaluation.strings where RemoteURL.isRemote(occurrence.value) {
                    collector.addLoose(occurrence)
                }
            }
        }
        return ResourceReport(
            id: scripts.id, version: scripts.version, resources: collector.resources, unresolved: collector.unresolved, helperCalls: collector.calls
        )
    }
}

/// Which strings are remote URLs (what choco's helpers download) and which are local files (copied).
enum RemoteURL {
    static func isRemote(_ value: String) -> Bool {
        let lower = value.lowercased()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("ftp://")
    }

    /// An unfilled template (`{{DownloadUrl}}`): neither a URL nor a file.
    static func isPlaceholder(_ value: String) -> Bool { value.contains("{{") && value.contains("}}") }
}

/// The arguments of one helper call bound to its parameters, as PowerShell's binder would.
struct HelperBinding {
    struct Bound {
        var value: Evaluated
        /// The closing brace of the splatted hashtable the value came from.
        var hashtableBrace: SourceSpan?
    }

    var values: [DownloadHelper.Role: Bound] = [:]
    var failures: [String] = []

    init(_ event: CommandEvent, helper: DownloadHelper) {
        var positional: [Evaluated] = []
        var named: [String: Bound] = [:]  // by parameter name, lower-cased
        var pending: DownloadHelper.Parameter?
        var swallowNext = false
        func bind(_ parameter: DownloadHelper.Parameter, _ bound: Bound) {
            if named[parameter.name.lowercased()] == nil { named[parameter.name.lowercased()] = bound }
        }
        for element in event.elements {
            switch element {
            case .parameter(let name, let argument, _):
                pending = nil
                swallowNext = false
                guard let parameter = helper.parameter(named: name) else {
                    // Goes to ignoredArguments, with the value after it.
                    swallowNext = argument == nil
                    continue
                }
                if parameter.role == .flag { continue }
                if let argument { bind(parameter, Bound(value: argument)) } else { pending = parameter }
            case .argument(let value):
                if let parameter = pending {
                    bind(parameter, Bound(value: value))
                    pending = nil
                } else if swallowNext {
                    swallowNext = false
                } else {
                    positional.append(value)
                }
            case .splat(let variable, let value, let span):
                pending = nil
                swallowNext = false
                switch value {
                case .hashtable(let table):
                    for entry in table.entries {
                        guard let parameter = helper.parameter(named: entry.key), parameter.role != .flag else { continue }
                        bind(parameter, Bound(value: Evaluated(value: entry.value, site: entry.site ?? span), hashtableBrace: table.closingBrace))
                    }
                case .array(let values):
                    positional += values.map { Evaluated(value: $0, site: span) }
                case .unknown(let reason):
                    failures.append("the splatted @\(variable) is not known statically: \(reason)")
                default:
                    failures.append("the splatted @\(variable) is not a hashtable")
                }
            }
        }
        var unbound = helper.parameters.prefix(helper.positionalCount).filter { named[$0.name.lowercased()] == nil }[...]
        for value in positional {
            guard let parameter = unbound.popFirst() else { break }
            named[parameter.name.lowercased()] = Bound(value: value)
        }
        for parameter in helper.parameters {
            if let bound = named[parameter.name.lowercased()], values[parameter.role] == nil { values[parameter.role] = bound }
        }
    }
}

/// Turns helper calls into resources and unresolved entries, without duplicates (a call evaluated twice, or
/// two calls sharing the same URL expression).
struct Collector {
    var resources: [RemoteResource] = []
    var unresolved: [UnresolvedResource] = []
    var calls: [SourceSpan] = []
    private var seenCalls = Set<SourceSpan>()
    private var urlSites = Set<SourceSpan>()
    private var seenSites = Set<String>()
    private var seenUnresolved = Set<String>()

    mutating func fail(_ helper: String, _ call: SourceSpan, _ reason: String) {
        let key = "\(call.file):\(call.start):\(reason)"
        guard seenUnresolved.insert(key).inserted else { return }
        unresolved.append(UnresolvedResource(helper: helper, call: call, reason: reason))
    }

    mutating func add(_ event: CommandEvent, helper: DownloadHelper) {
        let call = event.command.span
        if seenCalls.insert(call).inserted { calls.append(call) }
        let binding = HelperBinding(event, helper: helper)
        for failure in binding.failures { fail(helper.name, call, failure) }
        guard binding.failures.isEmpty else { return }
        guard let table = binding.values[.downloadTable] else {
            emit(binding.values, event: event, helper: helper)
            return
        }
        // One download (32- and 64-bit) per entry of the table, each entry read like a splatted hashtable.
        guard case .hashtable(let downloads) = table.value.value else {
            fail(helper.name, call, "the table of downloads is not known statically: \(table.value.value.unknownReason ?? "not a hashtable")")
            return
        }
        let roles: [(String, DownloadHelper.Role)] = [
            ("Url", .url), ("Url64", .url64), ("Checksum", .checksum), ("Checksum64", .checksum64), ("ChecksumType", .checksumType),
            ("ChecksumType64", .checksumType64)
        ]
        for download in downloads.entries {
            guard case .hashtable(let entry) = download.value else {
                fail(
                    helper.name, call, "the download '\(download.key)' is not known statically: \(download.value.unknownReason ?? "not a hashtable")")
                continue
            }
            var values = binding.values
            for (key, role) in roles {
                if let found = entry[key] {
                    values[role] = HelperBinding.Bound(
                        value: Evaluated(value: found.value, site: found.site ?? table.value.site), hashtableBrace: entry.closingBrace)
                } else if role != .checksumType {
                    values[role] = nil
                }
            }
            emit(values, event: event, helper: helper)
        }
    }

    /// The resources of one bound call (or one entry of a download table).
    mutating func emit(_ values: [DownloadHelper.Role: HelperBinding.Bound], event: CommandEvent, helper: DownloadHelper) {
        let call = event.command.span
        let has64 = values[.url64].map { Self.mayBeNonEmpty($0.value.value) } ?? false
        let slots: [(DownloadHelper.Role, DownloadHelper.Role, DownloadHelper.Role, RemoteResource.Architecture)] = [
            (.url, .checksum, .checksumType, has64 && !helper.singleURL ? .x86 : .any),
            (.url64, .checksum64, .checksumType64, .x64)
        ]
        for (urlRole, checksumRole, typeRole, architecture) in slots {
            guard let bound = values[urlRole] else { continue }
            let label = urlRole == .url64 ? "64-bit URL" : "URL"
            // An entry set differently under a condition: every alternative is a resource, each at its place.
            var candidates: [(value: Value, site: SourceSpan?, index: Int?, count: Int)] = []
            if case .alternatives(let items, _) = bound.value.value {
                candidates = items.enumerated().map { ($1.value, $1.site, $0, items.count) }
            } else {
                candidates = [(bound.value.value, bound.value.site, nil, 1)]
            }
            for candidate in candidates {
                let url: String
                switch candidate.value {
                case .string(let text): url = text
                case .null: continue
                case .unknown(let reason), .alternatives(_, let reason):
                    fail(helper.name, call, "the \(label) is not known statically: \(reason)")
                    continue
                case .array:
                    fail(helper.name, call, "the \(label) is a list, not one URL")
                    continue
                default:
                    fail(helper.name, call, "the \(label) is not a string")
                    continue
                }
                if url.isEmpty { continue }
                if RemoteURL.isPlaceholder(url) {
                    fail(helper.name, call, "the \(label) '\(url)' is an unfilled template placeholder, not a URL")
                    continue
                }
                guard RemoteURL.isRemote(url) else { continue }
                guard let site = candidate.site else {
                    fail(helper.name, call, "the \(label) is one of several values with no single place to rewrite")
                    continue
                }
                func pick(_ role: DownloadHelper.Role) -> Value? {
                    guard let value = values[role]?.value.value else { return nil }
                    if case .alternatives(let items, let reason) = value {
                        guard let index = candidate.index, items.count == candidate.count else { return .unknown(reason) }
                        return items[index].value
                    }
                    return value
                }
                // checksumType64 defaults to checksumType (Get-ChocolateyWebFile); md5 when no type is given.
                let checksumValue = pick(checksumRole)
                var typeValue = pick(typeRole)
                if typeRole == .checksumType64, typeValue == nil || typeValue == .null { typeValue = pick(.checksumType) }
                var checksum: String?
                var checksumType: String?
                if let checksumValue {
                    guard checksumValue.isKnown else {
                        fail(helper.name, call, "the checksum of \(url) is not known statically: \(checksumValue.unknownReason!)")
                        continue
                    }
                    checksum = checksumValue.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                }
                if checksum != nil {
                    if let typeValue, !typeValue.isKnown {
                        fail(helper.name, call, "the checksum type of \(url) is not known statically: \(typeValue.unknownReason!)")
                        continue
                    }
                    checksumType = (typeValue?.stringValue).flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "md5"
                }
                let (insertion, style) = insertionPoint(event, bound)
                guard seenSites.insert("\(site.file):\(site.start):\(url)").inserted else { continue }
                urlSites.insert(site)
                resources.append(
                    RemoteResource(
                        url: url, architecture: architecture, checksum: checksum, checksumType: checksumType, helper: helper.name,
                        call: call, urlSite: site, insertion: insertion, insertionStyle: style
                    )
                )
            }
        }
    }

    static func mayBeNonEmpty(_ value: Value) -> Bool {
        switch value {
        case .null: false
        case .string(let text): !text.isEmpty
        case .alternatives(let items, _): items.contains { mayBeNonEmpty($0.value) }
        default: true
        }
    }

    /// Where a missing checksum would go: the splatted hashtable's closing brace, else after the call's last
    /// argument (not inside a function body evaluated for a caller: that text serves every call).
    func insertionPoint(_ event: CommandEvent, _ bound: HelperBinding.Bound) -> (SourceSpan?, RemoteResource.InsertionStyle?) {
        if let brace = bound.hashtableBrace { return (brace, .hashtableEntries) }
        guard event.function == nil, let last = event.command.elements.last else { return (nil, nil) }
        let end = SourceSpan(file: last.span.file, line: last.span.line, column: last.span.column, start: last.span.end, end: last.span.end)
        return (end, .commandArguments)
    }

    /// A URL string found outside any helper (`allURLs`).
    mutating func addLoose(_ occurrence: StringOccurrence) {
        let site = occurrence.site
        guard !urlSites.contains(site) else { return }
        guard seenSites.insert("\(site.file):\(site.start):\(occurrence.value)").inserted else { return }
        resources.append(
            RemoteResource(
                url: occurrence.value, architecture: .any, checksum: nil, checksumType: nil, helper: ResourceFinder.anyURLHelper,
                call: site, urlSite: site, insertion: nil, insertionStyle: nil
            )
        )
    }
}

extension ResourceFinder {
    /// The `helper` of a URL found by `allURLs` outside any download helper.
    public static let anyURLHelper = "(any URL)"
}
