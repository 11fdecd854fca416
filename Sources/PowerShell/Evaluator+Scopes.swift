/// How the evaluator joins what branches and iterations assigned, and sets nested hashtable entries.
extension Evaluator {
    static func merge(_ scopes: [Scope], line: Int, base: Scope) -> Scope {
        guard var merged = scopes.first else { return base }
        func combine(_ maps: [[String: Value]], name: (String) -> String) -> [String: Value] {
            var keys = Set<String>()
            for map in maps { keys.formUnion(map.keys) }
            var result: [String: Value] = [:]
            for key in keys {
                let values = maps.map { $0[key] }
                if let first = values[0], values.allSatisfy({ $0 == first }) {
                    result[key] = first
                } else if let tables = values.allTables {
                    // Same hashtable, entries set differently: merge entry by entry, keeping each place.
                    result[key] = .hashtable(
                        mergeTables(tables, reason: "\(name(key)) is set differently depending on the condition at line \(line)"))
                } else if values.contains(where: { $0 == nil }) {
                    result[key] = .unknown("\(name(key)) is only assigned under the condition at line \(line)")
                } else {
                    result[key] = .unknown("\(name(key)) is assigned differently depending on the condition at line \(line)")
                }
            }
            return result
        }
        merged.variables = combine(scopes.map(\.variables)) { "$" + $0 }
        merged.environment = combine(scopes.map(\.environment)) { "$env:" + $0 }
        for scope in scopes.dropFirst() { merged.functions.merge(scope.functions) { first, _ in first } }
        merged.sites = base.sites
        return merged
    }

    /// Hashtables from several branches as one: an entry all branches agree on is kept (with its place), an
    /// entry that differs becomes ``Value/alternatives(_:reason:)`` of each branch's value and place.
    static func mergeTables(_ tables: [HashtableValue], reason: String) -> HashtableValue {
        var keys: [String] = []
        var seen = Set<String>()
        for table in tables {
            for entry in table.entries where seen.insert(entry.key.lowercased()).inserted { keys.append(entry.key) }
        }
        var merged = HashtableValue(entries: [], closingBrace: tables[0].closingBrace)
        for key in keys {
            let entries = tables.map { $0[key] ?? HashtableValue.Entry(key: key, value: .null, site: nil) }
            // The same value written at two places (`url = 'x'`, and `$h.url = $fallback` in a catch) stays two
            // alternatives: a rewrite must change both places, or one path still downloads.
            let sites = Set(entries.compactMap(\.site))
            if entries.allSatisfy({ $0.value == entries[0].value }), sites.count <= 1 {
                merged.entries.append(HashtableValue.Entry(key: entries[0].key, value: entries[0].value, site: sites.first))
                continue
            }
            if let nested = entries.map({ Optional($0.value) }).allTables {
                merged.entries.append(HashtableValue.Entry(key: key, value: .hashtable(mergeTables(nested, reason: reason)), site: entries[0].site))
                continue
            }
            var items: [Alternative] = []
            for entry in entries {
                let flattened: [Alternative]
                if case .alternatives(let inner, _) = entry.value {
                    flattened = inner
                } else {
                    flattened = [Alternative(value: entry.value, site: entry.site)]
                }
                for item in flattened where !items.contains(item) { items.append(item) }
            }
            merged.entries.append(HashtableValue.Entry(key: key, value: .alternatives(items, reason: reason), site: nil))
        }
        return merged
    }

    /// `table` with the entry at `path` set (`newValue`, or the old value plus `plus` for `+=`). A key not
    /// known statically sets that member in every nested hashtable it could name, as unknown.
    static func set(_ table: HashtableValue, path: ArraySlice<Value>, value newValue: Value?, plus: Value, site: SourceSpan) -> HashtableValue {
        guard let key = path.first else { return table }
        var table = table
        guard let name = key.stringValue, key.isKnown else {
            let reason = key.unknownReason ?? "a key is not known statically"
            for index in table.entries.indices {
                if path.count == 1 {
                    table.entries[index].value = .unknown(reason)
                } else if case .hashtable(let inner) = table.entries[index].value {
                    table.entries[index].value = .hashtable(
                        set(inner, path: path.dropFirst(), value: .unknown(reason), plus: .unknown(reason), site: site))
                }
            }
            return table
        }
        if path.count == 1 {
            table.set(name, newValue ?? add(table[name]?.value ?? .null, plus), site: site)
        } else if case .hashtable(let inner)? = table[name]?.value {
            table.set(name, .hashtable(set(inner, path: path.dropFirst(), value: newValue, plus: plus, site: site)), site: table[name]?.site)
        }
        return table
    }
}

extension Array where Element == Value? {
    /// The values as hashtables, when every one is a hashtable.
    var allTables: [HashtableValue]? {
        var tables: [HashtableValue] = []
        for value in self {
            guard case .hashtable(let table)? = value else { return nil }
            tables.append(table)
        }
        return tables
    }
}
