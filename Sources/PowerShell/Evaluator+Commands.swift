extension Evaluator {
    /// Runs a command statically: reports it, and computes its output when it is one the evaluator knows
    /// (`Join-Path`, `Split-Path`, a side file, a user function), else an unknown output.
    mutating func evaluate(_ command: Command, piped: Bool) -> Value {
        var elements: [CommandEvent.Element] = []
        for element in command.elements {
            switch element.kind {
            case .parameter(let name, let argument):
                elements.append(
                    .parameter(name: name, argument: argument.map { Evaluated(value: evaluate($0), site: site(of: $0)) }, span: element.span))
            case .argument(let expression):
                elements.append(.argument(Evaluated(value: evaluate(expression), site: site(of: expression))))
            case .splat(let variable):
                let value = lookup(Variable(scope: nil, name: variable), at: element.span)
                elements.append(.splat(variable: variable, value: value, span: element.span))
            }
        }
        if command.invocation != .direct {
            let target = evaluate(command.name)
            if case .scriptBlock = target { return .unknown("the output of a script block is not evaluated") }
            return invokeFile(target, dotSource: command.invocation == .dotSource, at: command.span)
        }
        guard let name = command.bareName else { return .unknown("the command name is not a word") }
        events.append(CommandEvent(command: command, name: name, elements: elements, file: file.path, function: function))
        let lowered = name.lowercased()
        let arguments = CommandArguments(elements, switches: Self.knownSwitches[lowered] ?? [])
        switch lowered {
        case "join-path": return joinPath(arguments)
        case "split-path": return splitPath(arguments)
        case "write-output", "echo":
            return Self.collect(arguments.positional.map(\.value))
        default:
            if let definition = scope.functions[name.lowercased()] { return call(definition, arguments, at: command.span) }
            return .unknown("the output of \(name) at line \(command.span.line) is known only at install time")
        }
    }

    /// Switch parameters of the commands evaluated here (a switch takes no argument).
    static let knownSwitches: [String: Set<String>] = [
        "split-path": ["parent", "leaf", "qualifier", "noqualifier", "resolve", "isabsolute", "extension", "leafbase"],
        "join-path": ["resolve"]
    ]

    func joinPath(_ arguments: CommandArguments) -> Value {
        var positional = arguments.positional.map(\.value)[...]
        guard let path = arguments.named("path", "p") ?? positional.popFirst() else { return .unknown("Join-Path without -Path") }
        guard let child = arguments.named("childpath", "c") ?? positional.popFirst() else { return .unknown("Join-Path without -ChildPath") }
        var pieces = [path, child] + positional
        if let more = arguments.named("additionalchildpath") { pieces.append(more) }
        var result: String?
        for piece in pieces {
            guard let text = piece.stringValue, piece.isKnown else { return piece.isKnown ? .unknown("Join-Path of a list") : piece }
            if case .array = piece { return .unknown("Join-Path of a list is not evaluated") }
            result = result.map { Self.join($0, text) } ?? text
        }
        return .string(result ?? "")
    }

    func splitPath(_ arguments: CommandArguments) -> Value {
        guard let path = arguments.named("path", "literalpath") ?? arguments.positional.first?.value else {
            return .unknown("Split-Path without -Path")
        }
        guard let text = path.stringValue, path.isKnown else { return path }
        if arguments.hasSwitch("leaf") { return .string(Self.leaf(text)) }
        if arguments.hasSwitch("qualifier") || arguments.hasSwitch("noqualifier") || arguments.hasSwitch("extension")
            || arguments.hasSwitch("leafbase")
        {
            return .unknown("this Split-Path form is not evaluated")
        }
        return .string(Self.parent(text))
    }

    /// The package file a path names, when it is inside the package folder.
    func packageFile(_ path: String) -> String? {
        let prefix = package.packageFolder.lowercased() + "\\"
        let normalized = path.replacingSlashes
        guard normalized.lowercased().hasPrefix(prefix) else { return nil }
        var parts: [Substring] = []
        for part in normalized.dropFirst(prefix.count).split(separator: "\\") {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let relative = parts.joined(separator: "/").lowercased()
        return package.files.keys.first { $0.lowercased() == relative }
    }

    /// `. file` (same scope) or `& file` (child scope, returns its output) for a file of the package.
    mutating func invokeFile(_ target: Value, dotSource: Bool, at span: SourceSpan) -> Value {
        guard let path = target.stringValue, target.isKnown else {
            return .unknown("the script invoked at line \(span.line) is not known statically (\(target.unknownReason ?? "not a path"))")
        }
        guard let relative = packageFile(path), let bytes = package.files[relative] else {
            problems.append(ParseError(span: span, message: "the script '\(path)' it invokes is not in the package"))
            return .unknown("the script '\(path)' is not in the package")
        }
        guard callStack.count < Self.maxCallDepth, !callStack.contains(relative.lowercased()) else {
            return .unknown("'\(relative)' is invoked recursively")
        }
        let saved = outputs
        outputs = []
        let outer = scope
        run(SourceFile(path: relative, bytes: bytes))
        let produced = outputs
        outputs = saved
        if !dotSource {
            // A child scope: its variables go away, but the functions it defines do too.
            scope = outer
        }
        return Self.collect(produced)
    }

    /// A user function: its body runs with the arguments bound to its parameters (named, then positional).
    mutating func call(_ definition: Function, _ arguments: CommandArguments, at span: SourceSpan) -> Value {
        guard callStack.count < Self.maxCallDepth, !callStack.contains("function " + definition.name.lowercased()) else {
            return .unknown("\(definition.name) calls itself")
        }
        let outer = scope
        let savedFile = file, savedFunction = function, savedOutputs = outputs
        var positional = arguments.positional[...]
        scope.sites = [:]
        for parameter in definition.parameters {
            let key = parameter.lowercased()
            if let named = arguments.namedEvaluated(key) ?? positional.popFirst() {
                scope.variables[key] = named.value
                scope.sites[key] = named.site
            } else {
                scope.variables[key] = .unknown("the parameter $\(parameter) of \(definition.name) is not given at line \(span.line)")
            }
        }
        for (key, entry) in arguments.splatted where definition.parameters.contains(where: { $0.lowercased() == key }) {
            scope.variables[key] = entry.value
            if let site = entry.site { scope.sites[key] = site }
        }
        scope.variables["args"] = .array(positional.map(\.value))
        file = definition.file
        function = definition.name
        outputs = []
        callStack.append("function " + definition.name.lowercased())
        execute(definition.body)
        callStack.removeLast()
        let produced = outputs
        outputs = savedOutputs
        file = savedFile
        function = savedFunction
        // Functions run in their own scope; `$script:` assignments inside are not followed.
        scope = outer
        return Self.collect(produced)
    }
}

/// A command's evaluated arguments, for the commands the evaluator computes itself.
struct CommandArguments {
    var named: [String: Evaluated] = [:]
    var switches: Set<String> = []
    var positional: [Evaluated] = []
    var splatted: [String: HashtableValue.Entry] = [:]

    init(_ elements: [CommandEvent.Element], switches known: Set<String> = []) {
        var pending: String?
        for element in elements {
            switch element {
            case .parameter(let name, let argument, _):
                if let pending { switches.insert(pending) }
                pending = nil
                let lowered = name.lowercased()
                if let argument {
                    named[lowered] = argument
                } else if known.contains(lowered) {
                    switches.insert(lowered)
                } else {
                    pending = lowered
                }
            case .argument(let value):
                if let name = pending {
                    named[name] = value
                    pending = nil
                } else {
                    positional.append(value)
                }
            case .splat(_, let value, let span):
                if let pending { switches.insert(pending) }
                pending = nil
                if case .hashtable(let table) = value {
                    for entry in table.entries {
                        splatted[entry.key.lowercased()] = entry
                        named[entry.key.lowercased()] = Evaluated(value: entry.value, site: entry.site ?? span)
                    }
                }
            }
        }
        if let pending { switches.insert(pending) }
    }

    func named(_ names: String...) -> Value? {
        for name in names { if let value = named[name] { return value.value } }
        return nil
    }

    func namedEvaluated(_ name: String) -> Evaluated? { named[name] }

    func hasSwitch(_ name: String) -> Bool { switches.contains(name) || named[name]?.value == .bool(true) }
}
