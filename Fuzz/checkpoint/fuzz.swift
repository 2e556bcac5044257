// Checkpoint file reader: any file contents give a checkpoint or a
// configuration error (78) naming the file, never a trap; a checkpoint read
// is written back (fileBytes) and reads back to the same checkpoint.
import CCCore
import Foundation

@testable import CCStream

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let first: Checkpoint
    do {
        first = try CheckpointFile.parse(bytes, path: "fuzz.json")
    } catch {
        check(error.status == .config, "status \(error.status) for a bad file: \(error.message)")
        check(error.message.contains("fuzz.json"), "message does not name the file: \(error.message)")
        return 0
    }
    let text = first.fileBytes
    do {
        let again = try CheckpointFile.parse(Data(text), path: "fuzz.json")
        check(again == first, "checkpoint changed through fileBytes:\n\(first)\n\(again)")
    } catch {
        fatalError(
            "fuzz check failed: fileBytes does not read back: \(error.message)\n\(String(decoding: text, as: UTF8.self))"
        )
    }
    return 0
}
