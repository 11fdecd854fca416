/// What a Chocolatey package gives its scripts before they run, for the static evaluator: the nuspec's id and
/// versions, and the package's files (so side files a script dot-sources or invokes can be read).
public struct PackageEnvironment: Sendable {
    public var id: String
    /// `$env:ChocolateyPackageVersion`: the version as choco normalizes it.
    public var version: String
    /// `$env:ChocolateyNuspecVersion`: the version as written in the nuspec.
    public var nuspecVersion: String
    /// The package's script files by path inside the package (`tools/data.ps1`, `/` separators).
    public var files: [String: [UInt8]]

    public init(id: String, version: String, nuspecVersion: String, files: [String: [UInt8]]) {
        self.id = id
        self.version = version
        self.nuspecVersion = nuspecVersion
        self.files = files
    }

    /// Where choco installs the package by default. Paths under it are recognised as the package's own files
    /// (a side file to read, or a local file that is not a download); no URL is ever built from it.
    public var packageFolder: String { "C:\\ProgramData\\chocolatey\\lib\\" + id }
}

/// A value and the expression it was written as (for a function's parameter, the argument at the call).
public struct Evaluated: Sendable, Hashable {
    public var value: Value
    public var site: SourceSpan

    public init(value: Value, site: SourceSpan) {
        self.value = value
        self.site = site
    }
}

/// One command the script runs (or may run, under a condition), with its arguments evaluated.
public struct CommandEvent: Sendable {
    public enum Element: Sendable {
        /// `-Name` with its argument (`-Name value` or `-Name:value`); nil argument for a switch or a name at
        /// the end. Pairing `-Name` with the following argument is done here only for `-Name:value`; see
        /// ``CommandEvent/elements`` and the binder in the finder.
        case parameter(name: String, argument: Evaluated?, span: SourceSpan)
        case argument(Evaluated)
        /// `@name` and the variable's value.
        case splat(variable: String, value: Value, span: SourceSpan)
    }

    public var command: Command
    /// The command name without module qualifier (`Install-ChocolateyPackage`).
    public var name: String
    public var elements: [Element]
    /// The script file the call is in.
    public var file: String
    /// The user function being evaluated when the call ran (its calls are evaluated with their arguments).
    public var function: String?
}

/// A string value met while evaluating, with its place: what `--internalize-all-urls` looks through.
public struct StringOccurrence: Sendable, Hashable {
    public var value: String
    public var site: SourceSpan
}

/// The result of evaluating a package's entry script and the side files it reads.
public struct ScriptEvaluation: Sendable {
    public var events: [CommandEvent]
    public var strings: [StringOccurrence]
    /// Parse errors of every file read, and side files that were named but could not be found.
    public var problems: [ParseError]
}

/// Runs a script *statically*: assignments of known values are followed, branches are all visited (a variable
/// assigned differently in two branches becomes unknown), side files are read when a script dot-sources or
/// invokes them, user functions are evaluated at each call with their arguments, and every command call is
/// reported with its evaluated arguments. Nothing is executed and nothing is guessed: what cannot be known
/// becomes ``Value/unknown(_:)`` with the reason.
public struct Evaluator {
    /// How deep side files and user functions may nest.
    static let maxCallDepth = 8
    /// Longest list a `foreach` is unrolled over.
    static let maxUnrolled = 64

    struct Function {
        var name: String
        var parameters: [String]
        var body: [Statement]
        var file: SourceFile
    }

    struct Scope {
        var variables: [String: Value] = [:]
        var environment: [String: Value] = [:]
        var functions: [String: Function] = [:]
        /// Call-site spans of function parameters (so a rewrite goes to the caller's argument).
        var sites: [String: SourceSpan] = [:]
    }

    let package: PackageEnvironment
    var scope = Scope()
    var events: [CommandEvent] = []
    var strings: [StringOccurrence] = []
    var problems: [ParseError] = []
    var outputs: [Value] = []
    var file: SourceFile
    var callStack: [String] = []
    var function: String?
    var work = 0

    init(package: PackageEnvironment, file: SourceFile) {
        self.package = package
        self.file = file
    }

    /// Evaluates the script at `entry` (a path in `package.files`).
    public static func evaluate(entry: String, in package: PackageEnvironment) -> ScriptEvaluation {
        let bytes = package.files[entry] ?? []
        let file = SourceFile(path: entry, bytes: bytes)
        var evaluator = Evaluator(package: package, file: file)
        evaluator.run(file)
        return ScriptEvaluation(events: evaluator.events, strings: evaluator.strings, problems: evaluator.problems)
    }

    /// Parses and evaluates `file` in the current scope.
    mutating func run(_ file: SourceFile) {
        let script = Parser.parse(file)
        problems += script.errors
        let saved = self.file
        self.file = file
        callStack.append(file.path.lowercased())
        execute(script.statements)
        callStack.removeLast()
        self.file = saved
    }

    mutating func execute(_ statements: [Statement]) {
        for statement in statements { execute(statement) }
    }

    mutating func execute(_ statement: Statement) {
        // A bound on the total work, whatever the input (functions calling each other, huge files).
        work += 1
        guard work < 200_000 else { return }
        switch statement.kind {
        case .pipeline(let pipeline):
            let value = evaluate(pipeline)
            if case .null = value {} else if pipeline.elements.count > 0, !isSilent(pipeline) { outputs.append(value) }
        case .assignment(let target, let op, let value):
            assign(target, op, evaluate(statement: value), valueSpan: value.span, valueStatement: value)
        case .ifStatement(let clauses, let elseBody):
            var branches: [[Statement]] = []
            for clause in clauses {
                _ = evaluate(clause.condition)
                branches.append(clause.body)
            }
            branches.append(elseBody ?? [])
            runBranches(branches, line: statement.span.line, output: .oneOf)
        case .foreachLoop(let variable, let collection, let body):
            let items = evaluate(collection)
            let key = variable.lowercased()
            let before = scope
            var results = [before]
            if case .array(let values) = items, values.count <= Self.maxUnrolled {
                // A known list: each iteration runs with its item (and sees what earlier ones assigned).
                for value in values {
                    scope.variables[key] = value
                    execute(body)
                    results.append(scope)
                }
            } else {
                let reason = items.isKnown ? "it is not a known list" : items.unknownReason!
                scope.variables[key] = .unknown("$\(variable) is the loop variable of the foreach at line \(statement.span.line) (\(reason))")
                execute(body)
                results.append(scope)
            }
            for index in results.indices.dropFirst() { results[index].variables.removeValue(forKey: key) }
            scope = Self.merge(results, line: statement.span.line, base: before)
        case .block(_, let bodies):
            runBranches(bodies + [[]], line: statement.span.line)
        case .function(let name, let parameters, let body):
            scope.functions[name.lowercased()] = Function(name: name, parameters: parameters, body: body, file: file)
        case .flow(let keyword, let value):
            if keyword == "return", let value { outputs.append(evaluate(value)) }
        case .parameters:
            break
        }
    }

    /// What becomes of the values the branches write to the output.
    enum BranchOutput {
        /// Kept as they come (a `try`'s body and its handlers).
        case all
        /// Exactly one branch runs (an `if`): see ``runBranches(_:line:output:)``.
        case oneOf
        /// None: a script block visited only for the calls it makes.
        case discarded
    }

    /// Visits each branch from the same starting scope, then keeps what all of them agree on.
    ///
    /// With `.oneOf` (an `if`), a branch that ends the script (`throw`, `exit`) produces nothing for the
    /// statement; of the others: their common output when they agree (`$(if ($PSScriptRoot) { $PSScriptRoot }
    /// else { Split-Path … })` is one folder); one hashtable each, merged entry by entry as assignments in
    /// branches are (each entry keeps its place); one value each, alternatives; otherwise every output in
    /// order, as PowerShell's pipeline would collect them if each branch ran.
    mutating func runBranches(_ branches: [[Statement]], line: Int, output: BranchOutput = .all) {
        let before = scope
        let start = outputs.count
        var results: [Scope] = []
        var produced: [[Value]] = []
        for branch in branches {
            scope = before
            if output != .all { outputs.removeSubrange(start...) }
            execute(branch)
            // What follows the statement runs only after a branch that did not end the script: a `throw` in
            // the else of `if (…) { $url = 'a' } else { throw … }` leaves $url known.
            if output == .all || !Self.endsTheScript(branch) {
                results.append(scope)
                produced.append(Array(outputs[start...]))
            }
        }
        if results.isEmpty { results = [scope] }
        scope = Self.merge(results, line: line, base: before)
        guard output != .all else { return }
        outputs.removeSubrange(start...)
        guard output == .oneOf, let first = produced.first else { return }
        let reason = "the output differs depending on the condition at line \(line)"
        if produced.allSatisfy({ $0 == first }) {
            outputs.append(contentsOf: first)
        } else if produced.allSatisfy({ $0.count == 1 }) {
            let tables = produced.compactMap { values -> HashtableValue? in
                if case let .hashtable(table) = values[0] { return table }
                return nil
            }
            outputs.append(tables.count == produced.count ? .hashtable(Self.mergeTables(tables, reason: reason))
                : .alternatives(produced.map { Alternative(value: $0[0], site: nil) }, reason: reason))
        } else {
            outputs.append(contentsOf: produced.flatMap { $0 })
        }
    }

    /// Whether `branch` ends the script at its top level (`throw`, `exit`): it hands nothing to what follows.
    static func endsTheScript(_ branch: [Statement]) -> Bool {
        branch.contains { statement in
            if case let .flow(keyword, _) = statement.kind { return ["throw", "exit"].contains(keyword.lowercased()) }
            return false
        }
    }

    /// Commands whose output is nothing (so a script's output, e.g. a data file's hashtable, stays known).
    static let silentCommands: Set<String> = [
        "write-host", "write-verbose", "write-debug", "write-warning", "write-information", "set-strictmode", "out-null",
        "write-error", "set-variable", "remove-item", "set-content", "out-file", "start-sleep", "import-module"
    ]

    func isSilent(_ pipeline: Pipeline) -> Bool {
        guard case .command(let command) = pipeline.elements.last else {
            if case .expression(let expression) = pipeline.elements.last, case .cast(let type, _) = expression.kind, type.lowercased() == "void" {
                return true
            }
            return false
        }
        if command.invocation == .dotSource { return true }
        guard let name = command.bareName?.lowercased() else { return false }
        return Self.silentCommands.contains(name) || name.hasPrefix("install-") || name.hasPrefix("get-chocolateyweb")
    }

    /// The value of an assignment's right side or a hashtable entry's value.
    mutating func evaluate(statement: Statement) -> Value {
        switch statement.kind {
        case .pipeline(let pipeline): return evaluate(pipeline)
        case .assignment(let target, let op, let value):
            let result = evaluate(statement: value)
            assign(target, op, result, valueSpan: value.span, valueStatement: value)
            return result
        default:
            let saved = outputs
            outputs = []
            execute(statement)
            let produced = outputs
            outputs = saved
            return produced.isEmpty ? .unknown("the value of the statement at line \(statement.span.line) is not evaluated") : Self.collect(produced)
        }
    }

    static func collect(_ values: [Value]) -> Value {
        if values.isEmpty { return .null }
        if values.count == 1 { return values[0] }
        if let unknown = values.first(where: { !$0.isKnown }) { return unknown }
        return .array(values)
    }

    mutating func evaluate(_ pipeline: Pipeline) -> Value {
        guard pipeline.elements.count > 0 else { return .null }
        var last: Value = .null
        for (index, element) in pipeline.elements.enumerated() {
            switch element {
            case .command(let command): last = evaluate(command, piped: index > 0)
            case .expression(let expression): last = evaluate(expression)
            }
        }
        if pipeline.elements.count > 1 { return .unknown("the output of the pipeline at line \(pipeline.span.line) is not evaluated") }
        return last
    }

    mutating func assign(_ target: Expression, _ op: String, _ value: Value, valueSpan: SourceSpan, valueStatement: Statement) {
        var value = value
        switch target.kind {
        case .variable(let variable):
            if op == "+=" {
                value = Self.add(lookup(variable, at: target.span), value)
            } else if op != "=" {
                value = .unknown("$\(variable.name) is computed with '\(op)'")
            }
            if variable.scope == "env" {
                scope.environment[variable.name.lowercased()] = value
            } else {
                scope.variables[variable.name.lowercased()] = value
                scope.sites.removeValue(forKey: variable.name.lowercased())
            }
        case .cast(_, let inner):
            assign(inner, op, value, valueSpan: valueSpan, valueStatement: valueStatement)
        case .member(_, _, false), .index:
            var path: [Value] = []
            var base = target
            while true {
                if case .member(let inner, let name, false) = base.kind {
                    path.insert(.string(name), at: 0)
                    base = inner
                } else if case .index(let inner, let index) = base.kind {
                    path.insert(evaluate(index), at: 0)
                    base = inner
                } else {
                    break
                }
            }
            guard case .variable(let variable) = base.kind, variable.scope != "env", path.count <= 8 else { return }
            let name = variable.name.lowercased()
            guard case .hashtable(let table) = scope.variables[name] else { return }
            let site = site(of: valueStatement) ?? valueSpan
            let newValue = op == "=" ? value : (op == "+=" ? nil : Value.unknown("computed with '\(op)'"))
            scope.variables[name] = .hashtable(Self.set(table, path: path[...], value: newValue, plus: value, site: site))
        default:
            break
        }
    }

    /// Where a value written as `statement` sits: the expression, or for a bare function parameter, the
    /// argument at the call.
    func site(of statement: Statement) -> SourceSpan? {
        guard case .pipeline(let pipeline) = statement.kind, pipeline.elements.count == 1, case .expression(let expression) = pipeline.elements[0]
        else {
            return nil
        }
        return site(of: expression)
    }

    func site(of expression: Expression) -> SourceSpan {
        if case .variable(let variable) = expression.kind, variable.scope == nil, let site = scope.sites[variable.name.lowercased()] { return site }
        return expression.span
    }
}
