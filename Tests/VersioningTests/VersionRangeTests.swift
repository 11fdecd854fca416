import Testing
import Versioning

@Suite("VersionRange")
struct VersionRangeTests {
    // (input, normalized)
    @Test(arguments: [
        ("1.0", "[1.0.0, )"),
        ("[1.0,)", "[1.0.0, )"),
        ("(1.0,)", "(1.0.0, )"),
        ("[1.0]", "[1.0.0]"),
        ("(,1.0]", "(, 1.0.0]"),
        ("(,1.0)", "(, 1.0.0)"),
        ("[1.0,2.0]", "[1.0.0, 2.0.0]"),
        ("(1.0,2.0)", "(1.0.0, 2.0.0)"),
        ("[1.0,2.0)", "[1.0.0, 2.0.0)"),
        ("[1.0, 2.0)", "[1.0.0, 2.0.0)"),
        ("  [ 1.0 , 2.0 )  ", "[1.0.0, 2.0.0)"),
        ("(, )", "(, )"),
        ("[, ]", "(, )"),
        ("(1.0, 1.0)", "(1.0.0, 1.0.0)"),
        ("[23.1.0]", "[23.1.0]"),
        ("3.7.0.15", "[3.7.0.15, )"),
        ("[1.0.0-beta, 2.0.0-beta)", "[1.0.0-beta, 2.0.0-beta)"),
    ])
    func parsesAndNormalizes(input: String, normalized: String) throws {
        #expect(try VersionRange(parsing: input).normalized == normalized)
    }

    @Test(arguments: [
        "(1.0)", "(1.0]", "[1.0)", "(,)", "[1.0,2.0,3.0]", "[2.0,1.0]", "(1.0,1.0]", "[1.0,1.0)", "[,]", "", "   ",
        "[]", "[", "(1.0", "1.0]", "1.*", "[1.*,2.0)", "[abc,2.0]", "[1.0,xyz)", "not a version",
    ])
    func rejects(input: String) {
        #expect(throws: VersioningError.self) { try VersionRange(parsing: input) }
    }

    @Test func errorNamesTheBound() {
        #expect(throws: VersioningError.invalidRange(input: "[1.0,xyz)", reason: "the upper bound 'xyz' is not a version (the major part 'xyz' is not a non-negative integer)")) {
            try VersionRange(parsing: "[1.0,xyz)")
        }
    }

    // (range, version, contained)
    @Test(arguments: [
        ("1.0", "1.0", true), ("1.0", "0.9", false), ("1.0", "2.0", true), ("1.0", "1.0.0-beta", false),
        ("[1.0]", "1.0.0.0", true), ("[1.0]", "1.0.1", false),
        ("(1.0,)", "1.0", false), ("(1.0,)", "1.0.0.1", true),
        ("(,2.0)", "2.0", false), ("(,2.0)", "2.0.0-rc", true), ("(,2.0]", "2.0", true),
        ("[1.0,2.0)", "1.5", true), ("[1.0,2.0)", "2.0", false), ("[1.0,2.0)", "1.0.0+meta", true),
        ("(, )", "0.0.1", true), ("(, )", "99.0.0-beta", true),
    ])
    func contains(range: String, version: String, expected: Bool) throws {
        #expect(try VersionRange(parsing: range).contains(NuGetVersion(parsing: version)) == expected)
    }

    // (a, b, intersection or nil)
    @Test(arguments: [
        ("[1.0,3.0)", "[2.0,4.0)", "[2.0.0, 3.0.0)" as String?),
        ("1.0", "(,2.0]", "[1.0.0, 2.0.0]"),
        ("[1.0,2.0)", "[2.0,3.0)", nil),
        ("[1.0,2.0]", "[2.0,3.0)", "[2.0.0]"),
        ("(1.0,2.0]", "[1.0]", nil),
        ("(, )", "[1.5]", "[1.5.0]"),
        ("(, )", "(, )", "(, )"),
        ("(1.0,)", "[1.0,)", "(1.0.0, )"),
    ])
    func intersection(a: String, b: String, expected: String?) throws {
        let left = try VersionRange(parsing: a), right = try VersionRange(parsing: b)
        #expect(left.intersection(right)?.normalized == expected)
        #expect(right.intersection(left)?.normalized == expected)
    }

    @Test func bestMatchPicksLowestStable() throws {
        let versions = try ["0.9", "1.0.0-beta", "1.0", "1.5", "2.0", "2.1-rc"].map { try NuGetVersion(parsing: $0) }
        #expect(try VersionRange(parsing: "1.0").bestMatch(in: versions)?.normalized == "1.0.0")
        #expect(try VersionRange(parsing: "1.0").newest(in: versions)?.normalized == "2.0.0")
        #expect(try VersionRange(parsing: "1.0").newest(in: versions, includePrerelease: true)?.normalized == "2.1.0-rc")
        #expect(try VersionRange(parsing: "[1.0.0-alpha,1.0]").bestMatch(in: versions)?.normalized == "1.0.0-beta")
        #expect(try VersionRange(parsing: "[3.0,)").bestMatch(in: versions) == nil)
        #expect(try VersionRange(parsing: "(,1.0)").bestMatch(in: versions)?.normalized == "0.9.0")
    }

    @Test func descriptions() throws {
        #expect(VersionRange.all.prettyDescription == "any")
        #expect(try VersionRange(parsing: "[1.0,2.0)").prettyDescription == ">= 1.0.0 and < 2.0.0")
        #expect(try VersionRange(parsing: "[1.0]").prettyDescription == "= 1.0.0")
        #expect(try VersionRange(parsing: "[1.0]").isExact)
    }
}

/// NuGet.Client's own rules where this parser was stricter than NuGet (issue 12 §5), as a table of our own.
@Suite("NuGet's rules exactly")
struct NuGetRuleTests {
    // (version text, normalized)
    static let versions: [(String, String)] = [
        ("   19.   19", "19.19.0"), ("1.0 .0", "1.0.0"), ("1 .2", "1.2.0"), ("\t3.\t4.5", "3.4.5"), ("1.0.0.0", "1.0.0"), ("01.0.0.0", "1.0.0"),
    ]

    @Test(arguments: versions)
    func spacesAroundNumericParts(_ row: (String, String)) throws {
        #expect(try NuGetVersion(parsing: row.0).normalized == row.1)
    }

    @Test(arguments: ["1 9", "1.2 3", " . ", "1..2"])
    func spacesInsideANumberAreNot(_ text: String) {
        #expect(throws: VersioningError.self) { try NuGetVersion(parsing: text) }
    }

    @Test func strictModeKeepsRefusingSpaces() {
        #expect(throws: VersioningError.self) { try NuGetVersion(parsing: "1. 2.3", mode: .strict) }
    }

    @Test func equalExclusiveBoundsAreValidButEmpty() throws {
        let range = try VersionRange(parsing: "(1.0, 1.0)")
        #expect(!range.contains(try NuGetVersion(parsing: "1.0")))
        #expect(!range.contains(try NuGetVersion(parsing: "1.0.0.1")))
    }

    @Test(arguments: ["(, )", "[, ]", "( , )"])
    func spacedEmptyBoundsMeanAny(_ text: String) throws {
        let range = try VersionRange(parsing: text)
        let low = try NuGetVersion(parsing: "0.0.1"), high = try NuGetVersion(parsing: "99.0.0-beta")
        #expect(range.contains(low) && range.contains(high))
    }

    @Test(arguments: [" [1.0, 2.0) ", "1.0 ", "  (, )"])
    func originalTextIsKeptUntrimmed(_ text: String) throws {
        #expect(try VersionRange(parsing: text).originalString == text)
    }

    @Test func emptyIsNotARange() {
        #expect(throws: VersioningError.invalidRange(input: "", reason: "it is empty; expected a version (at least) or a range such as [1.0,2.0)")) {
            try VersionRange(parsing: "")
        }
    }
}
