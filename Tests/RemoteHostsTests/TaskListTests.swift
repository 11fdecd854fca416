import RemoteHosts
import Testing

/// `tasklist /FI "IMAGENAME eq choco.exe" /FO CSV /NH` output, as documented (fully quoted rows; an INFO line
/// when nothing matches), and what the parser must not take for a process.
@Suite struct TaskListTests {
    @Test(arguments: [
        ("one process, CRLF", "\"choco.exe\",\"4242\",\"Services\",\"0\",\"12,345 K\"\r\n", [Int32(4242)]),
        ("two, the image in another case", "\"choco.exe\",\"10\",\"Services\",\"0\",\"1,024 K\"\r\n\"CHOCO.EXE\",\"11\",\"Console\",\"1\",\"9 K\"\r\n", [10, 11]),
        ("none: the INFO line", "INFO: No tasks are running which match the specified criteria.\r\n", []),
        ("another image is not choco", "\"chocolatey-agent.exe\",\"77\",\"Services\",\"0\",\"5 K\"\r\n", []),
        ("a row without a number", "\"choco.exe\",\"pid\",\"Services\",\"0\",\"5 K\"\r\n", []),
        ("half a row, blank lines", "\"choco.exe\r\n\r\n\"choco.exe\",\"12\"\r\n", [12]),
        ("nothing at all", "", []),
    ])
    func processIDs(_ row: (String, String, [Int32])) {
        #expect(TaskList.processIDs(in: row.1, image: "choco.exe") == row.2, "\(row.0)")
    }

    @Test func argumentsAskForOneImageAsCSVWithoutHeader() {
        #expect(TaskList.arguments(image: "choco.exe") == ["/FI", "IMAGENAME eq choco.exe", "/FO", "CSV", "/NH"])
    }
}
