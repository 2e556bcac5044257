import CCTestSupport
import Foundation
import Testing

/// `--group-by`/`--agg` over 100,000 lines against an independent
/// computation in Python: every composite key shape (several keys, list,
/// object, nested, keys read from arrays and objects of the event) and
/// first/last/min/max of lists and objects, in `end` and block windows.
/// Values kept across lines must be owned copies, never views into the
/// reused line buffer (issue 11 item 3: garbage from ~100 lines on).
@Suite(.serialized) struct GroupByDifferentialTests {
    @Test func compositeKeysAndKeptValuesMatchPython() throws {
        let script = FixtureNode.repositoryRoot() + "/Tests/Fixtures/filter_groupby_check.py"
        let r = try BuiltBinaries.run("/usr/bin/env", ["python3", script, BuiltBinaries.path("cc-filter"), "100000"])
        #expect(r.stdout == "ok 7\n", "\(r.stdout)\(r.stderr)")
        #expect(r.status == 0)
    }
}
