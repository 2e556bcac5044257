/// What picks an event's file: the values of the path's `{event}`,
/// `{chainId}` and `{date}` placeholders, and the last event's, so that a
/// run of events for the same file costs a comparison, not a path.
struct FileSeries {
    /// The placeholder values of one event; `event` is the name's UTF-8
    /// (unescaped), nil when the event has none.
    struct Fields {
        var chainId: UInt64?
        var timestamp: UInt64?
        var event: UnsafeBufferPointer<UInt8>?
    }

    let template: FileNameTemplate
    private let byChain: Bool
    private let byDate: Bool
    private let byEvent: Bool
    private var chainId: UInt64?
    private var day: UInt64?
    private var event: [UInt8]?

    init(template: FileNameTemplate) {
        self.template = template
        byChain = template.parts.contains(.chainId)
        byDate = template.parts.contains(.date)
        byEvent = template.parts.contains(.event)
    }

    /// Whether `f` goes where the last remembered event went (always, for a
    /// path without placeholders).
    func isCurrent(_ f: Fields) -> Bool {
        if byChain && f.chainId != chainId { return false }
        if byDate && f.timestamp.map({ $0 / 86_400 }) != day { return false }
        if byEvent {
            switch (f.event, event) {
            case (nil, nil): return true
            case (let a?, let b?): return b.withUnsafeBufferPointer { a.elementsEqual($0) }
            default: return false
            }
        }
        return true
    }

    mutating func remember(_ f: Fields) {
        chainId = f.chainId
        day = f.timestamp.map { $0 / 86_400 }
        if let e = f.event {
            if event == nil { event = [] }
            event!.removeAll(keepingCapacity: true)
            event!.append(contentsOf: e)
        } else {
            event = nil
        }
    }

    /// The path with the placeholders filled in (`{from}`/`{to}` left for
    /// rotation).
    func key(_ f: Fields) -> String {
        template.key(
            event: FileNameTemplate.pathComponent(f.event.map { String(decoding: $0, as: UTF8.self) } ?? "unknown"),
            chainId: f.chainId.map { "\($0)" } ?? "unknown",
            date: f.timestamp.map(FileNameTemplate.utcDate) ?? "undated")
    }
}
