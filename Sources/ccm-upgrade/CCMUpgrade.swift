import ArgumentParser

/// The `ccm-upgrade` command: parses arguments and hands the work to the libraries.
@main
struct CCMUpgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccm-upgrade",
        abstract: "Upgrade Chocolatey Central Management safely: internalize packages, check compatibility, plan and run.",
        version: "0.1.0",
        subcommands: [
            InspectCommand.self,
            DownloadCommand.self,
            PushCommand.self,
            InternalizeCommand.self,
            PackCommand.self,
            MatrixCommand.self,
            PlanCommand.self,
            RunCommand.self,
            LintScriptCommand.self,
            DeploymentCommand.self,
        ]
    )
}
