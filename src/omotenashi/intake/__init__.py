"""Event intake: Segment-spec parsing, validation, clock skew, consent gate, suppression, dedupe, append."""
