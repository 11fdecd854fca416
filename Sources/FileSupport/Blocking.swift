import Dispatch

/// Runs blocking work (file copies, hashing whole files) off Swift's cooperative thread pool.
///
/// The cooperative pool has one thread per core: a copy or hash of a large package run inline in async code
/// holds one of them for the whole file and stalls every other task (two cores: half the tool).
public enum Blocking {
    /// A concurrent queue of its own, so blocked threads are GCD's to add, not the cooperative pool's.
    private static let queue = DispatchQueue(label: "ccm-upgrade.blocking-io", attributes: .concurrent)

    /// Runs `body` on a thread outside the cooperative pool and resumes with its result or typed error.
    public static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        }
        return try result.get()
    }
}
