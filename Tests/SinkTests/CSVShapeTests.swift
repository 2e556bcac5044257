import CCKit
import Foundation
import Testing

/// A CSV file's header is its first record's fields: mixed event types must
/// not lose columns silently (issue 11, item 5).
@Suite("cc-sink file: CSV with mixed records")
struct CSVShapeTests {
    static func event(_ log: Int, _ name: String, _ args: String) -> String {
        #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","logIndex":\#(log),"event":"\#(name)","args":{\#(args)}}"#
    }
    static let transfer1 = event(0, "Transfer", #""from":"0x1","to":"0x2","value":"5""#)
    static let transfer2 = event(1, "Transfer", #""from":"0x3","to":"0x4","value":"6""#)
    static let approval = event(2, "Approval", #""owner":"0x1","spender":"0x2","value":"7""#)
    static let input = [transfer1, transfer2, approval, SinkTest.marker(block: 1)].joined(separator: "\n") + "\n"

    @Test("a record with fields the header lacks stops the sink with 65, naming the line, the fields and the fixes")
    func refused() throws {
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run("cc-sink", ["file", "out.csv"], stdin: Self.input, directory: dir)
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 3: a record (event Approval) has fields args.owner, args.spender that the CSV header "
                + "of out.csv (taken from its first record) lacks: put {event} in the path for one file per event, "
                + "choose the columns with --columns, or filter to one kind of record\n")
        #expect(
            SinkTest.read(dir + "/out.csv")
                == "chainId,blockNumber,blockHash,logIndex,event,args.from,args.to,args.value\n"
                + "1,1,0x01,0,Transfer,0x1,0x2,5\n1,1,0x01,1,Transfer,0x3,0x4,6\n")
    }

    @Test("{event} in the path gives each event type its own file and header; --columns picks the columns")
    func perEventFilesAndColumns() throws {
        let dir = try SinkTest.tempDir()
        var r = try SinkTest.run("cc-sink", ["file", "out/{event}.csv"], stdin: Self.input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            SinkTest.read(dir + "/out/Approval.csv")
                == "chainId,blockNumber,blockHash,logIndex,event,args.owner,args.spender,args.value\n"
                + "1,1,0x01,2,Approval,0x1,0x2,7\n")
        #expect(SinkTest.read(dir + "/out/Transfer.csv").split(separator: "\n").count == 3)
        r = try SinkTest.run(
            "cc-sink", ["file", "sel.csv", "--columns", "logIndex,event,args.value"], stdin: Self.input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            SinkTest.read(dir + "/sel.csv") == "logIndex,event,args.value\n0,Transfer,5\n1,Transfer,6\n2,Approval,7\n")
        // Fewer fields than the header (an absent optional field) are empty cells, as before.
        let fewer =
            Self.transfer1 + "\n"
            + #"{"chainId":1,"blockNumber":2,"blockHash":"0x02","logIndex":0,"event":"Transfer","args":{"from":"0x1","value":"9"}}"#
            + "\n"
        r = try SinkTest.run("cc-sink", ["file", "few.csv"], stdin: fewer, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(SinkTest.read(dir + "/few.csv").hasSuffix("1,2,0x02,0,Transfer,0x1,,9\n"))
    }
}
