/// Every number that configures the network side, with the range it must fall in. The flags (`--retries`)
/// and `feeds.json`'s `network` object check their values here, so both refuse the same values with the
/// same words (an unchecked `--retries 9223372036854775807` overflowed and crashed the tool).
public enum NetworkSetting: String, CaseIterable, Sendable {
    case retries, connectTimeout, stallTimeout, minimumSpeed, transferTimeout, pushTimeout, jobs, maxRetryAfter,
         retryBudget

    /// The values accepted. Generous on purpose: they stop nonsense and overflow, not unusual set-ups.
    public var range: ClosedRange<Int> {
        switch self {
        case .retries: return 0...20
        case .connectTimeout: return 1...600
        case .stallTimeout: return 1...3600
        case .minimumSpeed: return 1...(1 << 30)
        case .transferTimeout, .pushTimeout: return 1...(7 * 86400)
        case .jobs: return 1...32
        case .maxRetryAfter: return 0...3600
        case .retryBudget: return 0...86400
        }
    }

    /// The command-line flag that sets it.
    public var flag: String {
        switch self {
        case .retries: return "--retries"
        case .connectTimeout: return "--connect-timeout"
        case .stallTimeout: return "--stall-timeout"
        case .minimumSpeed: return "--minimum-speed"
        case .transferTimeout: return "--transfer-timeout"
        case .pushTimeout: return "--timeout" // push only
        case .jobs: return "--jobs"
        case .maxRetryAfter: return "--max-retry-after"
        case .retryBudget: return "--retry-budget"
        }
    }

    /// The key in `feeds.json`'s `network` object.
    public var key: String { rawValue }

    /// The unit, for messages.
    public var unit: String {
        switch self {
        case .retries: return "retries"
        case .minimumSpeed: return "bytes per second"
        case .jobs: return "transfers"
        default: return "seconds"
        }
    }

    /// Nil when `value` is in range, else what is wrong with it (without naming where it came from).
    public func problem(with value: Int) -> String? {
        range.contains(value) ? nil : "\(value) is out of range: expected \(range.lowerBound) to \(range.upperBound) \(unit)"
    }
}
