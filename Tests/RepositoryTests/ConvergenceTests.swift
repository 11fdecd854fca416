import CurlSupport
import Foundation
import Nupkg
import Repository
import Testing

/// The hardening issue's goal: 200 packages internalized through ~20 % injected faults on both feeds
/// (resets, resets mid-body, 5xx, 429, stalls, truncation, corrupted bytes; on the target also packages
/// stored before the connection is reset) finish in one run with the default number of attempts, and the
/// summary is true: every package pushed once, byte for byte, none "already present".
///
/// Both feeds publish no hash (like minchoc), so corruption is caught by vetting alone. The retry *count*
/// is the default (RetryPolicy's 5 tries per request, the Internalizer's 5 per package); only the backoff delays are shortened, so
/// the test takes seconds instead of minutes. `bench/faults/run.sh` runs the same against the CLI with
/// every default.
@Suite("Convergence: 200 packages through 20 % faults in one run", .serialized)
struct ConvergenceTests {
    static let count = 200

    @Test(arguments: [7])
    func twoHundredPackagesConvergeInOneRun(seed: Int) async throws {
        let built = try TemporaryDirectory(), work = try TemporaryDirectory()
        defer { built.cleanup(); work.cleanup() }
        var generator = SystemRandomNumberGenerator()
        var files: [String] = []
        for index in 0..<Self.count {
            // Incompressible bytes make up most of each file, so a flipped byte lands inside entry data.
            let noise = (0..<(8 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Every tenth package depends on the next one: the closure is resolved through the faults too.
            let dependencies = index % 10 == 0 ? ["Fault.Run.\(index + 1)"] : []
            files.append(try Built.package("Fault.Run.\(index)", "1.\(index % 7).0", in: built.path, payload: "package \(index)",
                                           dependencies: dependencies, extraFiles: [("tools/noise.bin", noise)]))
        }
        let faults = ["--fault-rate", "0.2", "--seed", "\(seed)", "--stall-seconds", "2", "--no-hash"]
        let source = try FakeFeed(files: files, arguments: faults)
        let targetFeed = try FakeFeed(arguments: faults + ["--api-key", "k", "--duplicate-status", "400"])
        let client = HTTPClient(transport: CurlTransport(options: TransportOptions(connectTimeout: 5, stallTimeout: 1)),
                                retry: RetryPolicy(baseDelay: 0.02, maxDelay: 0.2, maxRetryAfter: 5))
        let internalizer = Internalizer(sources: ["src": V2Feed(url: source.v2, http: client)],
                                        target: V2Feed(url: targetFeed.v2, apiKey: Secret("k"), http: client),
                                        workDirectory: work.path, journal: nil, jobs: 8)
        // Requested in reverse so that the dependencies are also requested packages (the summary has 200 rows).
        let summary = await internalizer.run((0..<Self.count).reversed().map { PackageRequest(id: "Fault.Run.\($0)", source: "src") })
        let failures = summary.items.filter { $0.status != .pushed }.map { "\($0.id): \($0.status) \($0.detail ?? "")" }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(summary.count(.pushed) == Self.count)
        #expect(summary.hasProblems == false)
        #expect(summary.withoutPublisherHash.count == Self.count)
        // The faults really happened: more requests than a clean run needs (4 per package at least).
        #expect(source.requests.count + targetFeed.requests.count > Self.count * 4)
        // Every package on the target is byte for byte the source's, stored once.
        let stored = try FileManager.default.contentsOfDirectory(atPath: targetFeed.packages.path).filter { $0.hasSuffix(".nupkg") }
        #expect(stored.count == Self.count)
        for file in files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(FileManager.default.contentsEqual(atPath: targetFeed.packages.path + "/" + name, andPath: file), "\(name) differs")
        }
    }
}
