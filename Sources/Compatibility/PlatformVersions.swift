import Foundation

/// A Windows or SQL Server release named by year, with the "R2" half-step (`2008 R2` sits between 2008
/// and 2012). Parsed from the names admins use, or from product / build version numbers.
public struct ServerRelease: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let isR2: Bool

    public init(year: Int, isR2: Bool = false) {
        self.year = year
        self.isR2 = isR2
    }

    public static func < (lhs: ServerRelease, rhs: ServerRelease) -> Bool {
        (lhs.year, lhs.isR2 ? 1 : 0) < (rhs.year, rhs.isR2 ? 1 : 0)
    }

    /// `2008 R2`, `2016`.
    public var description: String { isR2 ? "\(year) R2" : "\(year)" }

    /// Reads `2016`, `2008 R2`, `2008R2`, `Windows Server 2019`, `SQL Server 2022` (any case).
    /// Returns nil for anything else.
    static func parseName(_ text: String, dropping prefixes: [String]) -> ServerRelease? {
        var rest = text.trimmingCharacters(in: [" ", "\t"]).lowercased()
        for prefix in prefixes where rest.hasPrefix(prefix) {
            rest = String(rest.dropFirst(prefix.count)).trimmingCharacters(in: [" "])
        }
        var isR2 = false
        if rest.hasSuffix("r2") {
            isR2 = true
            rest = String(rest.dropLast(2)).trimmingCharacters(in: [" "])
        }
        guard rest.count == 4, let year = Int(rest), (2000...2099).contains(year) else { return nil }
        return ServerRelease(year: year, isR2: isR2)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = ServerRelease.parseName(text, dropping: []) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a server release such as 2016 or 2008 R2")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension ServerRelease {
    /// SQL Server by name (`2019`, `2008 R2`) or product version (`15`, `15.0.2000.5`, `10.50`).
    public static func sqlServer(_ text: String) -> ServerRelease? {
        if let named = parseName(text, dropping: ["microsoft ", "sql server"]) { return named }
        // Product versions: 10.0 = 2008, 10.50 = 2008 R2, 11 = 2012 ... 17 = 2025.
        let parts = text.trimmingCharacters(in: [" "]).split(separator: ".").map(String.init)
        guard let major = parts.first.flatMap({ Int($0) }) else { return nil }
        let minor = parts.count > 1 ? Int(parts[1]) : 0
        let byMajor: [Int: Int] = [9: 2005, 10: 2008, 11: 2012, 12: 2014, 13: 2016, 14: 2017, 15: 2019, 16: 2022, 17: 2025]
        guard let year = byMajor[major], minor != nil else { return nil }
        return ServerRelease(year: year, isR2: major == 10 && (minor ?? 0) >= 50)
    }

    /// Windows Server by name (`2016`, `2012 R2`) or build (`10.0.17763`, `6.3`, `6.3.9600`).
    public static func windowsServer(_ text: String) -> ServerRelease? {
        if let named = parseName(text, dropping: ["microsoft ", "windows server"]) { return named }
        let parts = text.trimmingCharacters(in: [" "]).split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return nil }
        switch (parts[0], parts[1]) {
        case (6, 0): return ServerRelease(year: 2008)
        case (6, 1): return ServerRelease(year: 2008, isR2: true)
        case (6, 2): return ServerRelease(year: 2012)
        case (6, 3): return ServerRelease(year: 2012, isR2: true)
        case (10, 0):
            guard parts.count >= 3 else { return nil }
            // Server builds: 14393 = 2016, 17763 = 2019, 20348 = 2022, 26100 = 2025.
            let builds = [(26100, 2025), (20348, 2022), (17763, 2019), (14393, 2016)]
            guard let year = builds.first(where: { parts[2] >= $0.0 })?.1 else { return nil }
            return ServerRelease(year: year)
        default: return nil
        }
    }
}
