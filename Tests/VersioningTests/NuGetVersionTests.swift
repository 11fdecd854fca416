import Testing
import Versioning

@Suite("NuGetVersion parsing")
struct NuGetVersionParsingTests {
    // (input, normalized, full string with metadata)
    @Test(arguments: [
        ("1", "1.0.0", "1.0.0"),
        ("1.0", "1.0.0", "1.0.0"),
        ("1.0.0.0", "1.0.0", "1.0.0"),
        ("01.0.0.0", "1.0.0", "1.0.0"),
        ("004.0.01.0", "4.0.1", "4.0.1"),
        ("1.01.1", "1.1.1", "1.1.1"),
        ("1.0.01.0", "1.0.1", "1.0.1"),
        ("1.00.0.1", "1.0.0.1", "1.0.0.1"),
        ("1.022", "1.22.0", "1.22.0"),
        ("1.0.7+r3456", "1.0.7", "1.0.7+r3456"),
        ("  2.3.4  ", "2.3.4", "2.3.4"),
        ("1.0.0-beta", "1.0.0-beta", "1.0.0-beta"),
        ("1.0.0-beta.2+git.0abc", "1.0.0-beta.2", "1.0.0-beta.2+git.0abc"),
        ("1.0.0-rc-1", "1.0.0-rc-1", "1.0.0-rc-1"),
        ("1.2.3.4-alpha", "1.2.3.4-alpha", "1.2.3.4-alpha"),
        ("22.1", "22.1.0", "22.1.0"),
        ("2147483647.0.0", "2147483647.0.0", "2147483647.0.0"),
        ("1.0.0+0001", "1.0.0", "1.0.0+0001"),
        ("1.0.0-0", "1.0.0-0", "1.0.0-0"),
    ])
    func lenientValid(input: String, normalized: String, full: String) throws {
        let version = try NuGetVersion(parsing: input)
        #expect(version.normalized == normalized)
        #expect(version.fullString == full)
        #expect(version.originalString == String(input.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()))
    }

    @Test(arguments: [
        "", " ", "1.", "1..2", ".1", "1.2.3.4.5", "-1.0", "1.0.-1", "a.b.c", "1.0.0-", "1.0.0+", "1.0.0-beta..1",
        "1.0.0-01", "1.0.0-beta.01", "1.0.0-be ta", "1.0.0-beta_1", "1.0.0+meta_data", "2147483648.0.0",
        "1.0.0-ü", "1.0.0.0.0-beta", "hahah !0.0.1~", "1.*", "v1.0.0",
    ])
    func lenientInvalid(input: String) {
        #expect(throws: VersioningError.self) { try NuGetVersion(parsing: input) }
    }

    @Test func errorQuotesInputAndReason() {
        do {
            _ = try NuGetVersion(parsing: "1.2.3.4.5")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "invalid version '1.2.3.4.5': expected 1 to 4 numeric parts, found 5")
        }
    }

    @Test(arguments: ["1.0.0", "1.0.0-beta.1", "10.20.30+build.5", "0.0.0-0"])
    func strictValid(input: String) throws {
        _ = try NuGetVersion(parsing: input, mode: .strict)
    }

    @Test(arguments: ["1.0", "1", "1.0.0.0", "01.0.0", "1.00.0", "1.0.01", "1.2.3.4-alpha"])
    func strictInvalid(input: String) {
        #expect(throws: VersioningError.self) { try NuGetVersion(parsing: input, mode: .strict) }
    }

    @Test func semVer2Detection() throws {
        #expect(try NuGetVersion(parsing: "1.0.0-beta.2").isSemVer2)
        #expect(try NuGetVersion(parsing: "1.0.0+meta").isSemVer2)
        #expect(!(try NuGetVersion(parsing: "1.0.0-beta2").isSemVer2))
    }

    @Test func codableRoundTrip() throws {
        let version = try NuGetVersion(parsing: "01.2.0-RC.1+abc")
        #expect(version.description == "1.2.0-RC.1")
        #expect(version.stable == NuGetVersion(major: 1, minor: 2))
        #expect(version.release == "RC.1")
    }
}

@Suite("NuGetVersion comparison")
struct NuGetVersionComparisonTests {
    // The documented order from high to low (nuget.md §4).
    @Test func documentedOrder() throws {
        let highToLow = ["1.0.1", "1.0.1-zzz", "1.0.1-rc.10", "1.0.1-rc.2", "1.0.1-open", "1.0.1-beta",
                         "1.0.1-alpha2", "1.0.1-alpha10", "1.0.1-aaa"]
        let versions = try highToLow.map { try NuGetVersion(parsing: $0) }
        for (higher, lower) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) should sort below \(higher)")
        }
        #expect(versions.shuffled().sorted(by: >).map(\.originalString) == highToLow)
    }

    @Test(arguments: [
        ("1.0", "1.0.0.0"), ("1.0.0", "1.0.0+metadata"), ("1.0.0-BETA", "1.0.0-beta"), ("01.0.0.0", "1.0"),
        ("1.0.0-Beta.1", "1.0.0-bEtA.1"), ("004.0.01.0", "4.0.1"),
    ])
    func equal(lhs: String, rhs: String) throws {
        let left = try NuGetVersion(parsing: lhs), right = try NuGetVersion(parsing: rhs)
        #expect(left == right)
        #expect(left.hashValue == right.hashValue)
    }

    @Test(arguments: [
        ("1.0.0", "1.0.1"), ("1.0.0-alpha", "1.0.0"), ("1.0.0-alpha", "1.0.0-alpha.1"), ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-beta.2", "1.0.0-beta.11"), ("1.0.0-rc.1", "1.0.0"), ("1.0.0", "1.0.0.1"), ("1.0.0.1", "1.0.1"),
        ("1.9.0", "1.10.0"), ("1.0.0-1", "1.0.0-a"), ("0.9.9.9", "1.0.0-0"), ("2.0.0", "10.0.0"),
        ("1.0.0-alpha", "1.0.0-Beta"),
    ])
    func lessThan(lhs: String, rhs: String) throws {
        let left = try NuGetVersion(parsing: lhs), right = try NuGetVersion(parsing: rhs)
        #expect(left < right)
        #expect(!(right < left))
        #expect(left != right)
    }
}
