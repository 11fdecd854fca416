/// The syntax tree of a PowerShell script, as far as package and deployment scripts need it. Every node
/// carries the ``SourceSpan`` of its text in the raw file.

/// A parsed script: its statements and the places the parser could not read (it recovers at the next line).
public struct Script: Sendable {
    public var file: SourceFile
    public var statements: [Statement]
    public var errors: [ParseError]
    /// Lexical facts for line-level readers (offsets into ``SourceFile/text``): comments (`#…`, `<#…#>`),
    /// and the ranges inside which a newline does not end the line (a backtick continuation, a string or
    /// here-string spanning lines).
    public var comments: [Range<Int>]
    public var joinedNewlines: [Range<Int>]
}

/// Text the parser could not read, and why. Parsing goes on after it.
public struct ParseError: Sendable, Hashable, Error {
    public var span: SourceSpan
    public var message: String
}

/// A statement, with its span.
public struct Statement: Sendable {
    public var span: SourceSpan
    public var kind: Kind

    public indirect enum Kind: Sendable {
        /// Commands and expressions joined by `|`; `chain` is how the next statement on the line is joined
        /// (`;`, `&&`, `||`, or nil for a newline or the end).
        case pipeline(Pipeline)
        /// `$x = …`, `$x += …`, `$h.Key = …`, `$h['k'] = …`.
        case assignment(target: Expression, operator: String, value: Statement)
        case ifStatement(clauses: [(condition: Pipeline, body: [Statement])], elseBody: [Statement]?)
        /// `foreach ($item in $list) { }`; `variable` without the `$`.
        case foreachLoop(variable: String, collection: Pipeline, body: [Statement])
        /// `for`, `while`, `do`, `switch`, `try`/`catch`/`finally`, `trap`, a bare `{ }` block: the bodies are
        /// kept so calls in them are seen, their conditions are not interpreted.
        case block(keyword: String, bodies: [[Statement]])
        case function(name: String, parameters: [String], body: [Statement])
        /// `return`, `throw`, `exit`, `break`, `continue` and the pipeline after it, if any.
        case flow(keyword: String, value: Pipeline?)
        /// `param(...)` at the top of a script or function.
        case parameters([String])
    }
}

/// Commands or expressions joined by `|`.
public struct Pipeline: Sendable {
    public var span: SourceSpan
    public var elements: [PipelineElement]
    /// What joins this statement to the next one on its line: `;`, `&&`, `||`, or nil.
    public var chain: String?
}

public enum PipelineElement: Sendable {
    case command(Command)
    case expression(Expression)

    public var span: SourceSpan {
        switch self {
        case .command(let command): command.span
        case .expression(let expression): expression.span
        }
    }
}

/// A command call: `Name -Param value positional @splat`, or `& expr …` / `. expr …`.
public struct Command: Sendable {
    public enum Invocation: String, Sendable { case direct, call = "&", dotSource = "." }

    public var span: SourceSpan
    public var invocation: Invocation
    /// The command as written: a bare name (module qualifier kept), or the expression after `&`/`.`.
    public var name: Expression
    public var elements: [CommandElement]

    /// The bare command name (`Install-ChocolateyPackage`), without a `module\` qualifier; nil when the
    /// command is an expression.
    public var bareName: String? {
        guard case .bareword(let word) = name.kind else {
            if case .string(let string) = name.kind, string.parts.count == 1, case .text(let text) = string.parts[0] { return text }
            return nil
        }
        if let slash = word.lastIndex(of: "\\"), !word.hasSuffix("\\") { return String(word[word.index(after: slash)...]) }
        return word
    }
}

public struct CommandElement: Sendable {
    public enum Kind: Sendable {
        /// `-Name` (a switch, or followed by its argument), `-Name:value`; the name without the dash.
        case parameter(name: String, argument: Expression?)
        case argument(Expression)
        /// `@name`: the variable's hashtable (named) or array (positional) spread.
        case splat(variable: String)
    }

    public var span: SourceSpan
    public var kind: Kind
}

/// An expression, with its span.
public struct Expression: Sendable {
    public var span: SourceSpan
    public var kind: Kind

    public indirect enum Kind: Sendable {
        case string(StringLiteral)
        /// A command-mode word that is not a string in quotes: `exe`, `C:\x`, `$toolsPath\*.exe` has parts.
        case bareword(String)
        /// A bare word with embedded variables in command mode (`$toolsPath\file.exe`): expanded like "…".
        case expandableWord(StringLiteral)
        case number(String)
        case variable(Variable)
        /// `$x.Name`, `$x.'Name'`, `[T]::Name`; `isStatic` for `::`.
        case member(target: Expression, name: String, isStatic: Bool)
        case invokeMember(target: Expression, name: String, arguments: [Expression], isStatic: Bool)
        case index(target: Expression, index: Expression)
        case hashtable(HashtableLiteral)
        /// `@( … )`, or `a, b, c`.
        case array([Expression])
        case arraySubexpression([Statement])
        /// `$( … )`.
        case subexpression([Statement])
        /// `( … )`: one pipeline or assignment.
        case parenthesized(Statement)
        case scriptBlock([Statement])
        /// `[Type]`, as written inside the brackets.
        case typeLiteral(String)
        case cast(type: String, value: Expression)
        /// `-f`, `+`, `-join`, `-replace`, `-eq`, … (lower-cased, with its dash).
        case binary(operator: String, left: Expression, right: Expression)
        /// `-not`, `!`, `-`, `-join`, `++`, …
        case unary(operator: String, operand: Expression)
    }
}

/// `$name`, `${name}`, `$env:NAME`, `$script:name`; `scope` is lower-cased, nil when absent.
public struct Variable: Sendable, Hashable {
    public var scope: String?
    public var name: String
}

/// A quoted string (single, double, here-string) or a command-mode word with variables.
public struct StringLiteral: Sendable {
    public enum Part: Sendable {
        case text(String)
        /// `$x` or `${x}` inside "…".
        case variable(Variable, SourceSpan)
        /// `$( … )` inside "…".
        case subexpression([Statement], SourceSpan)
    }

    public var parts: [Part]
    /// Single-quoted (no expansion).
    public var isVerbatim: Bool
    public var isHereString: Bool
}

/// `@{ key = value; … }`.
public struct HashtableLiteral: Sendable {
    public struct Entry: Sendable {
        public var key: Expression
        public var value: Statement
    }

    public var entries: [Entry]
    /// The closing `}`: where an entry can be added.
    public var closingBrace: SourceSpan
}
