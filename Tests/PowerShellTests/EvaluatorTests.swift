import PowerShell
import Testing

/// Evaluates `script` as a package's install script and returns the value `Probe` receives at the end.
func probe(_ script: String, files: [String: String] = [:], id: String = "pkg", version: String = "1.2.0", nuspecVersion: String = "1.2") -> Value? {
    var all = files.mapValues { Array($0.utf8) }
    all["tools/chocolateyInstall.ps1"] = Array((script + "\nProbe $v\n").utf8)
    let evaluation = Evaluator.evaluate(
        entry: "tools/chocolateyInstall.ps1", in: PackageEnvironment(id: id, version: version, nuspecVersion: nuspecVersion, files: all))
    guard let event = evaluation.events.last(where: { $0.name == "Probe" }), case .argument(let value)? = event.elements.first else { return nil }
    return value.value
}

@Suite("PowerShell static evaluator")
struct EvaluatorTests {
    static let folder = "C:\\ProgramData\\chocolatey\\lib\\pkg"

    // (script assigning $v, the string PowerShell would give it)
    static let known: [(String, String)] = [
        ("$v = 'x'", "x"),
        ("$v = \"x\"", "x"),
        ("$b = '1'; $v = \"p$($b)q\"", "p1q"),
        ("$ver = '1.2'\n$v = \"https://x/$ver/f-${ver}.exe\"", "https://x/1.2/f-1.2.exe"),
        ("$v = 'https://x/{0}/{1}.msi' -f 'a', 'b'", "https://x/a/b.msi"),
        ("$v = '{0}{{1}}' -f 'a'", "a{1}"),
        ("$v = 'a' + 'b' + 3", "ab3"),
        ("$v = @'\nhere 'quoted' $not\n'@", "here 'quoted' $not"),
        ("$a = 'A'\n$v = @\"\nv=$a \"q\"\n\"@", "v=A \"q\""),
        ("$v = \"a`tb``c`$d\"", "a\tb`c$d"),
        ("$v = 'it''s'", "it's"),
        ("$v = \"say \"\"hi\"\"\"", "say \"hi\""),
        ("$v = $env:ChocolateyPackageName", "pkg"),
        ("$v = $env:chocolateyPackageVersion", "1.2.0"),
        ("$v = $env:ChocolateyNuspecVersion", "1.2"),
        ("$v = Split-Path -parent $MyInvocation.MyCommand.Definition", folder + "\\tools"),
        ("$v = Split-Path $MyInvocation.MyCommand.Definition", folder + "\\tools"),
        ("$v = (Split-Path -Path $MyInvocation.MyCommand.Path)", folder + "\\tools"),
        ("$v = $PSScriptRoot", folder + "\\tools"),
        ("$v = \"$(Split-Path -parent $MyInvocation.MyCommand.Definition)\"", folder + "\\tools"),
        ("$t = $PSScriptRoot; $v = Join-Path $t 'x.exe'", folder + "\\tools\\x.exe"),
        ("$v = Join-Path -Path $env:ChocolateyPackageFolder -ChildPath 'tools'", folder + "\\tools"),
        ("$v = Join-Path `\n  'a' `\n  'b'", "a\\b"),
        ("if ($x) { $v = 'same' } else { $v = 'same' }", "same"),
        ("$h = @{ a = 1; b = 'x' }; $v = $h.b", "x"),
        ("$h = @{ a = 1\n b = 'x' }\n$v = $h['a']", "1"),
        ("$h = @{}; $h.c = 'y'; $h['d'] = 'z'; $v = $h.c + $h.d", "yz"),
        ("${my var} = 'z'; $v = ${my var}", "z"),
        ("$script:x = 'q'; $v = $x", "q"),
        ("function f($a) { \"v$a\" }\n$v = f 1", "v1"),
        ("function f { param([string] $Name = 'd') return \"n=$Name\" }\n$v = f -Name 'k'", "n=k"),
        ("$v = 'abc'.Replace('b','x').ToUpper()", "AXC"),
        ("$v = 'a-b' -replace '-', '+'", "a+b"),
        ("$v = @('a','b') -join ','", "a,b"),
        ("$url = 'https://x' # comment https://y\n$v = $url", "https://x"),
        ("<# $v = 'no' #>\n$v = 'yes'", "yes"),
        ("$list = @('a', 'b')\nforeach ($i in $list) { $last = $i }\n$v = $list[1]", "b"),
        ("$v = [string]5", "5"),
        ("$v = [IO.Path]::Combine('a', 'b')", "a\\b"),
        // An if's output is one branch's: branches that agree give that value; a branch that ends the script
        // (throw, exit) gives none, and what follows runs only after the others.
        ("$v = Join-Path $(if ($PSScriptRoot) { $PSScriptRoot } else { Split-Path -Parent $MyInvocation.MyCommand.Definition }) 'setup.exe'",
         folder + "\\tools\\setup.exe"),
        ("$v = if ($x) { 'https://a/l.exe' } else { throw 'Windows 10 required' }", "https://a/l.exe"),
        ("$v = if ($x) { Write-Error 'no'; exit 1 } else { 'https://a/k.exe' }", "https://a/k.exe"),
        ("if ($x) { $u = 'https://a/m.exe' } else { throw 'no' }\n$v = $u", "https://a/m.exe"),
    ]

    @Test(arguments: known)
    func knownValues(_ row: (String, String)) {
        let value = probe(row.0)
        #expect(value?.stringValue == row.1 && value?.isKnown == true, "\(String(describing: value))")
    }

    // (script assigning $v, a word the reason must contain): never a guess.
    static let unknown: [(String, String)] = [
        ("$v = $env:TEMP", "$env:TEMP"),
        ("$v = \"$env:ProgramFiles\\x\"", "$env:ProgramFiles"),
        ("if (Test-Path x) { $v = 'a' } else { $v = 'b' }", "condition at line 1"),
        ("if (Test-Path x) { $v = 'a' }", "only assigned under the condition"),
        ("$v = (Get-Date).Year", "Get-Date"),
        ("$v = Get-PackageParameters", "Get-PackageParameters"),
        ("$v = $undefined", "$undefined is not assigned"),
        ("$v = 'a' -replace '[0-9]+', 'b'", "regular expression"),
        ("foreach ($i in (Get-ChildItem)) { $v = $i }", "condition"),
        ("$v = '{0:N2}' -f 1", "format item"),
        ("$v = if (Test-Path x) { 'https://a' } else { 'https://b' }", "depending on the condition at line 1"),
    ]

    @Test(arguments: unknown)
    func unknownValuesSayWhy(_ row: (String, String)) {
        let value = probe(row.0)
        #expect(value?.isKnown == false)
        #expect(value?.unknownReason?.contains(row.1) == true, "\(String(describing: value))")
    }

    @Test func sideFilesAreReadWhenDotSourcedOrInvoked() {
        let helpers = ["tools/helpers.ps1": "$base = 'https://h'\nfunction Get-Url($name) { \"$base/$name\" }\n"]
        #expect(probe(". $PSScriptRoot\\helpers.ps1\n$v = Get-Url 'f.zip'", files: helpers)?.stringValue == "https://h/f.zip")
        #expect(
            probe(". (Join-Path (Split-Path -parent $MyInvocation.MyCommand.Definition) 'helpers.ps1')\n$v = $base", files: helpers)?.stringValue
                == "https://h")
        // `&` runs the file in a child scope: its output comes back, its variables do not.
        let data = ["tools/data.ps1": "\u{FEFF}@{\r\n  Url = 'https://d/x.exe'\r\n}\r\n"]
        #expect(
            probe("$data = & (Join-Path -Path (Split-Path -Path $MyInvocation.MyCommand.Path) -ChildPath data.ps1)\n$v = $data.Url", files: data)?
                .stringValue == "https://d/x.exe")
        #expect(probe("& $PSScriptRoot\\helpers.ps1\n$v = $base", files: helpers)?.isKnown == false)
        #expect(probe(". $PSScriptRoot\\missing.ps1\n$v = 'after'", files: helpers)?.stringValue == "after")
        // Files outside the package are never read.
        #expect(probe(". C:\\elsewhere\\helpers.ps1\n$v = $base", files: helpers)?.isKnown == false)
    }

    @Test func hashtableEntriesSetUnderAConditionBecomeAlternativesWithTheirPlaces() throws {
        let value = probe("$h = @{ u = 'https://a' }\nif ($x) { $h.u = 'https://b' }\n$v = $h")
        guard case .hashtable(let table)? = value, case .alternatives(let items, _)? = table["u"]?.value else {
            Issue.record("\(String(describing: value))")
            return
        }
        // In branch order: the `if` body, then the path that skips it.
        #expect(items.map(\.value) == [.string("https://b"), .string("https://a")])
        #expect(items.map { $0.site?.line } == [2, 1])
    }
}
