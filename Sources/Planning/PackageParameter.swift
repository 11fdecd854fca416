/// One Chocolatey package parameter (`/PortNumber:24021`, `/EnterPassword`, `/Password:<secret>`).
public struct PackageParameter: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Value: Sendable, Hashable, Codable {
        case text(String)
        case secret(SecretReference)
    }

    /// The name without slash or colon, e.g. `PortNumber`.
    public var name: String
    /// Nil for a switch such as `/EnterPassword`.
    public var value: Value?

    public init(_ name: String, _ value: Value? = nil) {
        self.name = name
        self.value = value
    }

    public var isSecret: Bool {
        if case .secret = value { return true }
        return false
    }

    /// The parameter as shown in plans and logs: secrets appear as their reference, never their value.
    public var description: String {
        switch value {
        case nil: return "/\(name)"
        case let .text(text): return "/\(name):\(text)"
        case let .secret(reference): return "/\(name):<\(reference)>"
        }
    }

    /// The parameter with its secret resolved, for the one command line that needs it.
    func rendered(resolve: (SecretReference) throws(PlanningError) -> String) throws(PlanningError) -> String {
        switch value {
        case nil: return "/\(name)"
        case let .text(text): return "/\(name):\(text)"
        case let .secret(reference): return "/\(name):\(try resolve(reference))"
        }
    }
}
