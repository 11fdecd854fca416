import Foundation
import Nupkg
import Testing
import Versioning

@Suite("Nuspec reading")
struct NuspecReaderTests {
    static let namespaces: [String?] = [
        "http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2011/10/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd",
        "http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd",
        nil,
    ]

    static let fullMetadata = """
      <metadata minClientVersion="2.8">
        <id>chocolatey-management-service</id>
        <version>0.17.0</version>
        <title>Chocolatey Central Management Service</title>
        <authors>Chocolatey Software, Inc.</authors>
        <owners>chocolatey</owners>
        <summary>The service</summary>
        <description><![CDATA[Multi-line
    description & more]]></description>
        <releaseNotes>Fixes</releaseNotes>
        <copyright>2026</copyright>
        <tags>ccm chocolatey,central</tags>
        <projectUrl>https://chocolatey.org</projectUrl>
        <licenseUrl>https://chocolatey.org/eula</licenseUrl>
        <iconUrl>https://chocolatey.org/icon.png</iconUrl>
        <icon>images\\icon.png</icon>
        <license type="expression" version="1.0.0">Apache-2.0</license>
        <requireLicenseAcceptance>True</requireLicenseAcceptance>
        <serviceable>true</serviceable>
        <repository type="git" url="https://github.com/x/y" branch="main" commit="abc123" />
        <packageSourceUrl>https://github.com/src</packageSourceUrl>
        <docsUrl>https://docs.chocolatey.org</docsUrl>
        <bugTrackerUrl>https://bugs</bugTrackerUrl>
        <projectSourceUrl>https://proj</projectSourceUrl>
        <mailingListUrl>https://list</mailingListUrl>
        <provides>ccm</provides>
        <conflicts>old-ccm</conflicts>
        <replaces>older-ccm</replaces>
        <dependencies>
          <dependency id="chocolatey-agent" version="[4.0.0,5.0.0)" />
          <group targetFramework="net48">
            <dependency id="dotnet4.8" version="4.8.0.20190930" />
            <dependency id="chocolatey.extension" />
          </group>
        </dependencies>
      </metadata>
      <files><file src="tools\\**" target="tools" exclude="**\\*.bak" /></files>
    """

    @Test(arguments: namespaces)
    func readsEveryFieldInAnyNamespace(namespace: String?) throws {
        let attribute = namespace.map { " xmlns=\"\($0)\"" } ?? ""
        let xml = "<?xml version=\"1.0\"?>\n<package\(attribute)>\(Self.fullMetadata)</package>"
        let nuspec = try NuspecReader.read(Array(xml.utf8), source: "test.nuspec")
        #expect(nuspec.namespace == namespace)
        #expect(nuspec.id == "chocolatey-management-service")
        #expect(nuspec.version == NuGetVersion(major: 0, minor: 17))
        #expect(nuspec.minClientVersion == "2.8")
        #expect(nuspec.title == "Chocolatey Central Management Service")
        #expect(nuspec.authors == "Chocolatey Software, Inc.")
        #expect(nuspec.owners == "chocolatey")
        #expect(nuspec.summary == "The service")
        #expect(nuspec.description?.hasPrefix("Multi-line\n") == true && nuspec.description?.hasSuffix("description & more") == true, "CDATA kept with its line break")
        #expect(nuspec.releaseNotes == "Fixes")
        #expect(nuspec.copyright == "2026")
        #expect(nuspec.tags == ["ccm", "chocolatey", "central"])
        #expect(nuspec.projectUrl == "https://chocolatey.org")
        #expect(nuspec.licenseUrl == "https://chocolatey.org/eula")
        #expect(nuspec.iconUrl == "https://chocolatey.org/icon.png")
        #expect(nuspec.icon == "images\\icon.png")
        #expect(nuspec.license == .init(kind: .expression, value: "Apache-2.0", version: "1.0.0"))
        #expect(nuspec.requireLicenseAcceptance)
        #expect(nuspec.serviceable)
        #expect(!nuspec.developmentDependency)
        #expect(nuspec.repository == .init(type: "git", url: "https://github.com/x/y", branch: "main", commit: "abc123"))
        #expect(nuspec.chocolatey.packageSourceUrl == "https://github.com/src")
        #expect(nuspec.chocolatey.docsUrl == "https://docs.chocolatey.org")
        #expect(nuspec.chocolatey.bugTrackerUrl == "https://bugs")
        #expect(nuspec.chocolatey.projectSourceUrl == "https://proj")
        #expect(nuspec.chocolatey.mailingListUrl == "https://list")
        #expect(nuspec.chocolatey.provides == "ccm")
        #expect(nuspec.chocolatey.conflicts == "old-ccm")
        #expect(nuspec.chocolatey.replaces == "older-ccm")
        #expect(nuspec.dependencyGroups.count == 2)
        #expect(nuspec.dependencyGroups[0].targetFramework == nil)
        #expect(nuspec.dependencyGroups[0].dependencies == [PackageDependency(id: "chocolatey-agent", range: try VersionRange(parsing: "[4.0.0,5.0.0)"))])
        #expect(nuspec.dependencyGroups[1].targetFramework == "net48")
        #expect(nuspec.dependencyGroups[1].dependencies.map(\.id) == ["dotnet4.8", "chocolatey.extension"])
        #expect(nuspec.dependencyGroups[1].dependencies[1].range.isAll, "a dependency without a version means any")
        #expect(nuspec.files == [.init(source: "tools\\**", target: "tools", exclude: "**\\*.bak")])
        #expect(nuspec.warnings.isEmpty)
    }

    @Test func corpusNuspecs() throws {
        let good = try NuspecReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: Corpus.root + "/nuspec/valid/pynuget-good.nuspec"))), source: "good")
        #expect(!good.id.isEmpty)
        let mixed = try NuspecReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: Corpus.root + "/nuspec/valid/pynuget-dependencies.nuspec"))), source: "deps")
        #expect(mixed.allDependencies.count >= 2)
        #expect(mixed.dependencyGroups.contains { $0.targetFramework == nil } && mixed.dependencyGroups.contains { $0.targetFramework != nil })
    }

    @Test(arguments: [("pynuget-no_id.nuspec", "field 'id'"), ("pynuget-no_version.nuspec", "field 'version'"), ("pynuget-no_metadata.nuspec", "field 'metadata'")])
    func corpusMalformedNuspecs(name: String, field: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Corpus.root + "/nuspec/malformed/" + name)))
        #expect { try NuspecReader.read(bytes, source: name) } throws: { error in
            "\(error)".hasPrefix(name) && "\(error)".contains(field)
        }
    }

    /// Every nuspec of the 320 community packages and choco's test packages reads (or fails with a named field).
    @Test func communityNuspecs() throws {
        let roots = [Corpus.root + "/chocolatey-packages", Corpus.root + "/choco-test-packages"]
        var read = 0
        var failures: [String] = []
        for root in roots {
            for case let relative as String in FileManager.default.enumerator(atPath: root)! where relative.hasSuffix(".nuspec") {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative)))
                do {
                    _ = try NuspecReader.read(bytes, source: relative)
                    read += 1
                } catch {
                    failures.append("\(error)")
                }
            }
        }
        #expect(read >= 390, "read \(read); failures: \(failures.prefix(5))")
        // The few that fail are templates with placeholder versions; each failure names the file and field.
        #expect(failures.allSatisfy { $0.contains("nuspec field '") }, "\(failures)")
    }

    // (description, document, expected message fragment)
    @Test(arguments: [
        ("doctype", "<?xml version=\"1.0\"?><!DOCTYPE package><package><metadata><id>a</id><version>1.0</version></metadata></package>", "DOCTYPE is not allowed"),
        ("external entity", """
        <?xml version="1.0"?><!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <package><metadata><id>a</id><version>1.0</version><description>&xxe;</description></metadata></package>
        """, "DOCTYPE is not allowed"),
        ("billion laughs", """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
        <package><metadata><id>a</id><version>1.0</version><description>&lol3;</description></metadata></package>
        """, "DOCTYPE is not allowed"),
        ("lowercase doctype marker", "<?xml version=\"1.0\"?><!doctype package><package/>", "DOCTYPE is not allowed"),
        ("not well-formed", "<package><metadata><id>a</id>", "malformed XML"),
        ("wrong root", "<nuspec><metadata/></nuspec>", "expected <package>"),
        ("bad dependency version", """
        <package><metadata><id>a</id><version>1.0</version><dependencies><dependency id="y" version="x" /></dependencies></metadata></package>
        """, "invalid version 'x' in dependency 'y'"),
        ("dependency without id", "<package><metadata><id>a</id><version>1.0</version><dependencies><dependency version=\"1.0\" /></dependencies></metadata></package>", "has no 'id'"),
        ("bad boolean", "<package><metadata><id>a</id><version>1.0</version><requireLicenseAcceptance>yes</requireLicenseAcceptance></metadata></package>", "field 'requireLicenseAcceptance'"),
        ("bad license type", "<package><metadata><id>a</id><version>1.0</version><license type=\"url\">x</license></metadata></package>", "field 'license'"),
        ("empty id", "<package><metadata><id> </id><version>1.0</version></metadata></package>", "field 'id'"),
        ("floating dependency", "<package><metadata><id>a</id><version>1.0</version><dependencies><dependency id=\"b\" version=\"1.*\" /></dependencies></metadata></package>", "floating ranges"),
    ])
    func refusesHostileAndInvalidDocuments(description: String, xml: String, fragment: String) {
        #expect { try NuspecReader.read(Array(xml.utf8), source: "evil.nuspec") } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("evil.nuspec") && text.contains(fragment)
        }
    }

    @Test func commentMentioningDoctypeIsFine() throws {
        let xml = "<?xml version=\"1.0\"?><!-- no <!DOCTYPE here --><package><metadata><id>a</id><version>1.0</version></metadata></package>"
        let nuspec = try NuspecReader.read(Array(xml.utf8), source: "ok.nuspec")
        #expect(nuspec.warnings.count == 2, "missing authors and description are reported as warnings")
    }

    @Test func byteOrderMarkIsAccepted() throws {
        let xml = [0xEF, 0xBB, 0xBF] + Array("<package><metadata><id>a</id><version>1.0</version></metadata></package>".utf8)
        #expect(try NuspecReader.read(xml, source: "bom.nuspec").id == "a")
    }

    /// Predefined entities and character references resolve the same in element text and in attributes
    /// (libxml2's SAX interface hands attribute `&amp;` over as `&#38;`; the reader must not leak that).
    @Test func referencesResolveInTextAndAttributes() throws {
        let xml = """
            <package><metadata><id>a</id><version>1.0</version><authors>A &amp; B &lt;x&gt; &#169; &#x263A;</authors>
            <repository type="git" url="https://x/?a=1&amp;b=2&#38;c=&lt;3&gt;&quot;q&quot;&apos;&#38;#38;" />
            <description><![CDATA[<b>bold</b> &amp;]]> tail</description></metadata></package>
            """
        let nuspec = try NuspecReader.read(Array(xml.utf8), source: "refs.nuspec")
        #expect(nuspec.authors == "A & B <x> \u{A9} \u{263A}")
        #expect(nuspec.repository?.url == "https://x/?a=1&b=2&c=<3>\"q\"'&#38;")
        #expect(nuspec.description == "<b>bold</b> &amp; tail")
    }

    /// A prefix bound to no namespace is part of the name, as libxml2's tree kept it: `<x:id>` is not `<id>`.
    @Test func undeclaredPrefixIsNotDropped() {
        let xml = "<package><metadata><x:id>a</x:id><x:version>1.0</x:version></metadata></package>"
        #expect { try NuspecReader.read(Array(xml.utf8), source: "prefix.nuspec") } throws: { error in
            "\(error)".contains("field 'id'")
        }
    }}
