import Foundation
import Internalization
import JSONOutput
import Nupkg

/// `inspect --resources`: the remote resources of packages (`.nupkg` files and package source folders), as
/// ``ResourceFinder`` finds them.
enum InspectResources {
    struct Failure: Encodable {
        let error: String
        let path: String
    }

    struct Package: Encodable {
        let path: String
        let report: ResourceReport

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(path, forKey: .path)
            try container.encode(report.id, forKey: .id)
            try container.encode(report.version, forKey: .version)
            try container.encode(report.isFullyResolved, forKey: .resolved)
            try container.encode(report.helperCalls.count, forKey: .helperCalls)
            try container.encode(report.resources, forKey: .resources)
            try container.encode(report.unresolved, forKey: .unresolved)
        }

        enum Key: String, CodingKey { case path, id, version, resolved, helperCalls, resources, unresolved }
    }

    struct Document: Encodable {
        let errors: [Failure]
        let packages: [Package]
    }

    /// The packages `paths` name: a folder with a `.nuspec` at its top is a source folder; other folders are
    /// searched for `.nupkg` files.
    static func targets(_ paths: [String]) -> (targets: [String], missing: [String]) {
        var targets: [String] = []
        var missing: [String] = []
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else {
                missing.append(path)
                continue
            }
            let isFolder = (status.st_mode & S_IFMT) == S_IFDIR
            let names = isFolder ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []) : []
            if !isFolder || names.contains(where: { $0.lowercased().hasSuffix(".nuspec") }) {
                targets.append(path)
            } else {
                targets += PackageFiles.find([path]).files
            }
        }
        return (targets, missing)
    }

    static func run(_ paths: [String], json: Bool, allURLs: Bool) async throws {
        let (targets, missing) = targets(paths)
        for path in missing { Console.error("\(path): no such file or folder") }
        var failures: [Failure] = []
        var packages: [Package] = []
        for path in targets {
            do {
                let scripts = try await PackageScripts.read(path)
                packages.append(Package(path: path, report: ResourceFinder.find(in: scripts, allURLs: allURLs)))
            } catch {
                Console.error(error.description)
                failures.append(Failure(error: error.description, path: path))
            }
        }
        if json {
            Console.out(try JSONOutput.encode(Document(errors: failures, packages: packages)))
        } else {
            if !packages.isEmpty { Console.out(packages.map(text).joined(separator: "\n\n")) }
        }
        if !missing.isEmpty { throw ExitCodes.badInput }
        if !failures.isEmpty || packages.contains(where: { !$0.report.isFullyResolved }) { throw ExitCodes.problemsFound }
    }

    static func text(_ package: Package) -> String {
        let report = package.report
        var lines = ["\(report.id) \(report.version) (\(package.path))"]
        if report.helperCalls.isEmpty {
            lines.append("  no download helper called")
        } else {
            let state = report.isFullyResolved ? "every resource resolved" : "\(report.unresolved.count) unresolved"
            lines.append("  \(report.helperCalls.count) download helper call(s), \(report.resources.count) remote resource(s), \(state)")
        }
        for resource in report.resources {
            let checksum = resource.checksum.map { "\(resource.checksumType ?? "md5"):\($0)" } ?? "no checksum"
            lines.append("  \(resource.architecture.rawValue) \(resource.url)")
            lines.append("      \(checksum); \(resource.helper) at \(resource.call.location)")
        }
        for item in report.unresolved {
            lines.append("  unresolved: \(item.helper) at \(item.call.location): \(item.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
