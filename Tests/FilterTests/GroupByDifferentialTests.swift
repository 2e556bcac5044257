import CCTestSupport
import Foundation
import Testing

@testable import CCFilter
@testable import CCJSON

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

/// The unit-level form of the same rule: a detached value holds no view of
/// its line at any depth, so overwriting the line's bytes changes nothing.
struct DetachedValueTests {
    @Test func detachedValuesOwnEveryLevel() throws {
        let line = #"{"event":"Transfer","args":{"ids":["1","2"],"o":{"k":"v\"w","n":12}}}"#
        let programs = [
            "[event, args.ids]", "{e: event, o: args.o}", "[[event, {i: args.ids[0]}], args.o.k]", "args.o",
            "{..., x: [args.o]}",
        ]
        for source in programs {
            let e = try FilterCompiler.compile(source)
            var bytes = Array(line.utf8)
            let (detached, before) = try bytes.withUnsafeMutableBufferPointer { mb in
                let parsed = try JSONLine(UnsafeBufferPointer(mb))
                var vm = FilterVM()
                let v = try vm.evaluate(e, root: parsed.root).detached()
                var w = JSONWriter(capacity: 64)
                v.writeJSON(to: &w)
                return (v, w.bytes)
            }
            for i in bytes.indices { bytes[i] = UInt8(ascii: "#") }
            var after = JSONWriter(capacity: 64)
            detached.writeJSON(to: &after)
            #expect(
                String(decoding: after.bytes, as: UTF8.self) == String(decoding: before, as: UTF8.self), "\(source)")
        }
    }
}
