/// Markers that pass cc-decode or cc-filter carry a `pipeline` hash of the
/// stage's configuration and a `pipelineStages` list (stream contract v1.1).
/// Tests about something else compare markers without them;
/// `PipelineHashTests` checks the fields themselves.
public enum PipelineField {
    /// `text` with every `,"pipeline":"<hex>"` and `,"pipelineStages":[…]` member removed.
    public static func strip(_ text: String) -> String {
        text.replacing(#/,"pipeline":"[0-9a-fA-F]+"/#, with: "").replacing(
            #/,"pipelineStages":\[[^\]]*\]/#, with: "")
    }
}
