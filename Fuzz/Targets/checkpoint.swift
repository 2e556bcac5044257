import Foundation

/// The checkpoint file reader: any file content is a checkpoint or a 78
/// naming what is wrong; an accepted one writes back to a file that reads
/// back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let d = Data(bytes: data, count: size)
    guard let c = try? CheckpointFile.parse(d, path: "fuzz.json") else { return 0 }
    let again = try? CheckpointFile.parse(Data(c.fileText.utf8), path: "fuzz.json")
    precondition(again?.marker == c.marker, "checkpoint does not round-trip: \(c.fileText)")
    return 0
}
