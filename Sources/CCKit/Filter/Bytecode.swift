/// One VM instruction. The VM is a stack machine; jumps are absolute
/// instruction indexes.
/// Not Sendable: superinstructions carry pointers into their expression's
/// FilterKeyTable (see CompiledExpression for why sharing is safe).
enum FilterInstr {
    /// Push `constants[i]`.
    case push(Int)
    /// Push the value at `paths[i]`, read from the event with the scanner's
    /// member lookups (nothing else of the line is touched).
    case load(Int)
    /// Pop a value, push its member `keys[i]`.
    case member(Int)
    /// Pop index, pop base, push `base[index]`.
    case index
    case negate
    case not
    case arith(FilterBinaryOp)
    case compare(FilterBinaryOp)
    case contains(negated: Bool)
    /// `&&`: pop; when falsy push false and jump.
    case andJump(Int)
    /// `||`: pop; when truthy push true and jump.
    case orJump(Int)
    case toBool
    /// Pop; jump when falsy.
    case jumpIfFalsy(Int)
    case jump(Int)
    case call(FilterFunction, argc: Int)
    case makeList(Int)
    /// Pop `objectShapes[i].count` values, build an object.
    case makeObject(Int)
    /// Like makeObject, but starting from every member of the event
    /// (`{..., key: expr}`); the listed keys replace or extend it.
    case makeObjectKeepingEvent(Int)
    // Superinstructions for the shapes most filters are made of.
    /// `path == "const"` / `path != "const"` on string bytes.
    /// `bytes` is the constant's UTF-8, kept in the key table.
    case loadEqualsString(path: Int, constant: Int, bytes: UnsafeBufferPointer<UInt8>, negated: Bool)
    /// `path <op> const` where const is a number; `digits` is its decimal
    /// text (nil when negative), for comparing decoded uint strings without
    /// converting them.
    case loadCompareNumber(path: Int, op: FilterBinaryOp, constant: Int, digits: UnsafeBufferPointer<UInt8>?)
}

/// A compiled expression: code plus the tables its instructions index.
/// A class so the per-event loop passes one reference instead of copying
/// (and retaining) every table of a struct.
package final class CompiledExpression: @unchecked Sendable {
    // @unchecked: the tables are only written while compiling, before the
    // expression is shared; `FilterKeyTable` owns raw memory that is only read.
    var code: [FilterInstr] = []
    var constants: [FilterValue] = []
    var paths: [CompiledPath] = []
    var keys: FilterKeyTable = FilterKeyTable()
    var objectShapes: [[[UInt8]]] = []
    var resultType: FilterType = .any
    /// Set when the whole expression is one static path.
    var singlePath: Int? = nil
    /// Set when the whole expression is an `&&` chain of superinstructions,
    /// laid out in raw memory with their paths' steps, so that testing an
    /// event touches no reference count (which cost ~10% of a simple
    /// predicate). Owned by the expression; freed in `deinit`.
    private(set) var conjuncts: UnsafeMutableBufferPointer<Conjunct>? = nil
    private var conjunctSteps: UnsafeMutableBufferPointer<CompiledPath.Step>? = nil
    /// The expression's source text, for messages.
    package var source: String = ""
    var maxStack = 0
    /// Per path: bit 0 set once the VM looked it up, bit 1 once it found
    /// something, so the end of a run can name paths that never matched
    /// (`args.vaule`). Raw memory: a store per lookup, no reference count;
    /// nil again once every path was found (nothing left to report).
    private(set) var pathUse: UnsafeMutablePointer<UInt8>? = nil
    private var pathUseStorage: UnsafeMutablePointer<UInt8>? = nil

    init() {}

    deinit {
        conjuncts?.deallocate()
        conjunctSteps?.deallocate()
        pathUseStorage?.deallocate()
    }

    /// Called once compiling is done and `paths` is final.
    func trackPathUse() {
        guard pathUse == nil, !paths.isEmpty else { return }
        pathUseStorage = .allocate(capacity: paths.count)
        pathUseStorage!.initialize(repeating: 0, count: paths.count)
        pathUse = pathUseStorage
    }

    /// Stops noting lookups when every path has been found: the hot path
    /// then pays one predictable branch per lookup.
    func retirePathUseIfAllFound() {
        guard let u = pathUse else { return }
        for i in 0..<paths.count where u[i] != 3 { return }
        pathUse = nil
    }

    @inline(__always) func notePath(_ i: Int, found: Bool) {
        if let u = pathUse { u[i] |= found ? 3 : 1 }
    }

    /// Static paths looked up at least once and never found.
    var unresolvedPaths: [[FilterPathSegment]] {
        guard let u = pathUseStorage else { return [] }
        return paths.indices.filter { u[$0] == 1 }.map { paths[$0].segments }
    }

    struct Conjunct {
        /// `.loadEqualsString` or `.loadCompareNumber`.
        let instr: FilterInstr
        let path: Int
        /// The steps of the instruction's path.
        let steps: UnsafeBufferPointer<CompiledPath.Step>
    }

    func setConjuncts(_ instrs: [FilterInstr]) {
        precondition(conjuncts == nil, "conjuncts are set once, while compiling")
        var pathIndices: [Int] = []
        for instr in instrs {
            switch instr {
            case .loadEqualsString(let p, _, _, _), .loadCompareNumber(let p, _, _, _): pathIndices.append(p)
            default: preconditionFailure("only superinstructions are conjuncts")
            }
        }
        let stepCount = pathIndices.reduce(0) { $0 + paths[$1].steps.count }
        let steps = UnsafeMutableBufferPointer<CompiledPath.Step>.allocate(capacity: max(stepCount, 1))
        let table = UnsafeMutableBufferPointer<Conjunct>.allocate(capacity: max(instrs.count, 1))
        var next = 0
        for (k, instr) in instrs.enumerated() {
            let pathSteps = paths[pathIndices[k]].steps
            for (j, step) in pathSteps.enumerated() { (steps.baseAddress! + next + j).initialize(to: step) }
            let view = UnsafeBufferPointer(start: steps.baseAddress! + next, count: pathSteps.count)
            (table.baseAddress! + k).initialize(to: Conjunct(instr: instr, path: pathIndices[k], steps: view))
            next += pathSteps.count
        }
        conjunctSteps = steps
        conjuncts = UnsafeMutableBufferPointer(rebasing: table[0..<instrs.count])
    }
}

/// A static path with its keys ready for the scanner's byte lookups.
final class CompiledPath {
    enum Step {
        /// Bytes owned by the expression's FilterKeyTable, which lives as
        /// long as the expression: no lookup or retain per event.
        case key(UnsafeBufferPointer<UInt8>)
        case index(Int)
    }
    let steps: [Step]
    let segments: [FilterPathSegment]

    init(steps: [Step], segments: [FilterPathSegment]) {
        self.steps = steps
        self.segments = segments
    }
}

/// Keys as stable byte buffers, because the scanner's member lookup takes an
/// UnsafeBufferPointer and per-event allocation is what we are avoiding.
final class FilterKeyTable {
    private(set) var buffers: [UnsafeMutableBufferPointer<UInt8>] = []
    private(set) var strings: [[UInt8]] = []
    /// A 20,000-term allowlist interns 20,000 constants: no linear search.
    private var lookup: [[UInt8]: Int] = [:]

    func intern(_ key: [UInt8]) -> Int {
        if let i = lookup[key] { return i }
        lookup[key] = strings.count
        let buf = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(key.count, 1))
        _ = buf.initialize(from: key)
        buffers.append(buf)
        strings.append(key)
        return buffers.count - 1
    }

    @inline(__always) func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: UnsafeBufferPointer(buffers[i])[0..<strings[i].count])
    }

    deinit {
        for b in buffers { b.deallocate() }
    }
}
