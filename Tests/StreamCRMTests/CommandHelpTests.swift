import XCTest
@testable import StreamCRM

/// Each command parses its arguments with the options its help lists, and README's command table
/// names every command.
final class CommandHelpTests: XCTestCase {
    func testACommandTakesTheOptionsItsHelpListsAndRefusesOthers() throws {
        let parsed = try Arguments(["--partitions", "3", "--events-out=/tmp/x", "--verbose"], command: "demo")
        XCTAssertEqual(parsed.value("partitions"), "3")
        XCTAssertEqual(parsed.value("events-out"), "/tmp/x")
        XCTAssertTrue(parsed.flag("verbose"))
        XCTAssertThrowsError(try Arguments(["--bootstrap", "x"], command: "demo")) { error in
            XCTAssertEqual("\(error)", "unknown option --bootstrap")
        }
        XCTAssertThrowsError(try Arguments(["--quiet=yes"], command: "produce")) { error in
            XCTAssertEqual("\(error)", "--quiet takes no value")
        }
    }

    func testTheHelpTextShowsRequiredOptionsWithoutBrackets() throws {
        let help = try XCTUnwrap(CommandHelp.of("read-topics"))
        XCTAssertTrue(help.synopsis.hasPrefix("read-topics --bootstrap HOST:PORT,... --topics A,B [--ids]"), help.synopsis)
        XCTAssertTrue(help.text.contains("\n  --timeout S                give up after S seconds (default 120)"), help.text)
        XCTAssertNil(CommandHelp.of("no-such-command"))
    }

    func testWrapBreaksAtSpacesWithinTheWidth() {
        XCTAssertEqual(CommandHelp.wrap("aaa bbb ccc dddd", width: 8), "aaa bbb\nccc dddd")
        XCTAssertEqual(CommandHelp.wrap("averyveryverylongword x", width: 5), "averyveryverylongword\nx")
    }

    func testREADMEsCommandTableNamesEveryCommand() throws {
        let readme = try String(contentsOfFile: repositoryRoot() + "/README.md", encoding: .utf8)
        for help in CommandHelp.all {
            XCTAssertTrue(readme.contains("| `streamcrm \(help.name)"), "README's command table lacks \(help.name)")
        }
    }

    private func repositoryRoot() -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
