/// Markers that pass cc-decode or cc-filter carry a `pipeline` hash of the
/// stage's configuration (stream contract v1.1). Tests about something else
/// compare markers without it; `PipelineTests` checks the field itself.
public enum PipelineField {
    /// `text` with every `,"pipeline":"<hex>"` member removed.
    public static func strip(_ text: String) -> String {
        text.replacing(#/,"pipeline":"[0-9a-fA-F]+"/#, with: "")
    }
}
