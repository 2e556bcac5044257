#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One scanned value (or object key) of a line, in document order.
///
/// Children follow their container directly, so walking an object's members
/// is `i += 1` for a key and `i = entries[i].next` to hop over a value of any
/// size: lookups never look at the line's bytes again except to compare keys.
package struct TapeEntry {
    /// Byte offset of the value's first byte (the quote of a string).
    package var start: UInt32
    /// Byte offset one past the value's last byte.
    package var end: UInt32
    /// Tape index one past this value's subtree.
    package var next: UInt32
    /// kind (bits 0-2) | flags (bits 3-7) | member or element count (bits 8-31).
    package var meta: UInt32

    package static let hasEscapes: UInt32 = 1 << 3  // string contains a backslash
    static let nonInteger: UInt32 = 1 << 4  // number has a fraction or an exponent
    static let negative: UInt32 = 1 << 5  // number starts with '-'
    static let countUnit: UInt32 = 1 << 8
    /// meta at or above this has a saturated count (2^24 - 1): walk to count.
    static let countSaturated: UInt32 = 0xFFFF_FF00

    @inlinable @inline(__always) package var kindBits: UInt8 { UInt8(truncatingIfNeeded: meta & 7) }
    @inlinable @inline(__always) var count: Int { Int(meta >> 8) }
}

/// The reusable result of scanning one line: a flat array of `TapeEntry`
/// plus the line's base address. A `JSONLine` and every `JSONValue` taken from
/// it hold a reference, so the tape lives as long as they do; the scanner of
/// each thread reuses its tape as soon as nobody holds it any more, so the hot
/// path allocates nothing per line.
package final class JSONTape {
    /// Deeper documents are rejected: it bounds the container stack (and the
    /// recursion of `JSONWriter.value`), and no stream record is deeper than ~10.
    static let maxDepth = 512

    package var entries: UnsafeMutablePointer<TapeEntry>
    var capacity: Int
    var count = 0
    package var base: UnsafePointer<UInt8>
    var length = 0
    /// Open containers, as tape indices; only used while scanning.
    let stack: UnsafeMutablePointer<UInt32>
    private let ownsStack: Bool

    init(capacity: Int = 256) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        stack = Self.allocateStack()
        ownsStack = true
        base = UnsafePointer(bitPattern: 1)!  // never read while length == 0
    }

    /// A tape that scans with a borrowed container stack: many small tapes
    /// that scan one after another on one thread (a batch of lines) share
    /// one, which keeps them compact and cache-friendly. `stack` must come
    /// from `allocateStack` and outlive the tape.
    package init(capacity: Int, sharedStack: UnsafeMutablePointer<UInt32>) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
        stack = sharedStack
        ownsStack = false
        base = UnsafePointer(bitPattern: 1)!
    }

    package static func allocateStack() -> UnsafeMutablePointer<UInt32> { .allocate(capacity: maxDepth + 1) }

    deinit {
        entries.deallocate()
        if ownsStack { stack.deallocate() }
    }

    /// Validates `bytes` as exactly one JSON text and records its values.
    package func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) {
        count = 0
        length = 0
        guard let b = bytes.baseAddress, !bytes.isEmpty else {
            throw JSONSyntaxError("unexpected end of input, expected a JSON value", at: 0)
        }
        // Offsets are stored as UInt32 and stack entries use bit 31 as a flag.
        guard bytes.count < 1 << 31 else { throw JSONSyntaxError("line longer than 2 GiB", at: 0) }
        base = b
        length = bytes.count
        var s = JSONScanner(b, bytes.count, entries: entries, capacity: capacity, stack: stack)
        defer {
            entries = s.entries
            capacity = s.capacity
            count = s.count
        }
        try s.run()
    }
}

// MARK: - Per-thread tape cache

/// Holds the thread's spare tape; `isKnownUniquelyReferenced(&box.tape)`
/// tells whether every line scanned with it is gone.
final class TapeBox {
    @exclusivity(unchecked) var tape = JSONTape()  // only this thread touches its box
}

private let tapeKey: pthread_key_t = {
    var key = pthread_key_t()
    let destructor: @convention(c) (UnsafeMutableRawPointer?) -> Void = { p in
        if let p { Unmanaged<TapeBox>.fromOpaque(p).release() }
    }
    pthread_key_create(&key, destructor)
    return key
}()

extension JSONTape {
    /// A tape nobody else holds: the thread's cached one when it is free,
    /// otherwise a new one that becomes the thread's cache.
    @inline(__always)
    static func acquire() -> JSONTape {
        let box: TapeBox
        if let p = pthread_getspecific(tapeKey) {
            box = Unmanaged<TapeBox>.fromOpaque(p).takeUnretainedValue()
        } else {
            box = TapeBox()
            let p = Unmanaged.passRetained(box).toOpaque()
            // Without a slot (keys exhausted) every line gets a fresh tape: slower, still correct.
            if pthread_setspecific(tapeKey, p) != 0 { Unmanaged<TapeBox>.fromOpaque(p).release() }
        }
        if !isKnownUniquelyReferenced(&box.tape) {
            box.tape = JSONTape(capacity: 256)
        }
        return box.tape
    }
}
