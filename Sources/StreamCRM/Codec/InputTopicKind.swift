/// Which kind of input topic a message came from; it decides the schema the body is read with
/// (DESIGN.md §2).
public enum InputTopicKind: String, Sendable, CaseIterable {
    /// Clickstream events (`view`, `click`, `add_to_cart`, ...).
    case clickstream
    /// Orders, cancels and refunds.
    case orders
    /// Catalog records (compacted, key = item id).
    case catalog
    /// Control messages (`forget_user`).
    case control
}
