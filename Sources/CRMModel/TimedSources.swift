/// The input topic partitions an engine has accepted a timed event (click or order) from since it
/// started, or since their partition was last handed over (``CRMEngine/dropCustomers(partitions:)``).
///
/// Kafka orders events within a topic partition only, and a consumer catching up a backlog reads
/// its partitions unevenly: a sparse orders partition can arrive whole while the clickstream is
/// still days behind. The first event of a topic partition is therefore not judged "far in the
/// future" against the other partitions' progress, only against what the engine knew before it
/// read anything (its restored clock and the restored customers' times) and the wall clock; from
/// its second event on, the stream's clock judges it as well.
public struct TimedSources: Sendable {
    private struct Key: Hashable, Sendable {
        var topic: String
        var partition: Int32
    }

    private var seen: Set<Key> = []
    /// The last source noted: consecutive events from one partition skip the set.
    private var last: Key?

    public init() {}

    /// Whether no event of `topic` / `partition` has been noted yet (a noted one becomes the last
    /// source, so that its next events skip the set).
    public mutating func isFirst(topic: String, partition: Int32) -> Bool {
        if let last, last.partition == partition, last.topic == topic { return false }
        let key = Key(topic: topic, partition: partition)
        guard seen.contains(key) else { return true }
        last = key
        return false
    }

    /// Notes the first accepted event of `topic` / `partition`.
    public mutating func note(topic: String, partition: Int32) {
        let key = Key(topic: topic, partition: partition)
        seen.insert(key)
        last = key
    }

    /// Forgets the sources of these partition numbers (handed over: their next event is a first again).
    public mutating func forget(partitions: Set<Int32>) {
        guard !partitions.isEmpty else { return }
        seen = seen.filter { !partitions.contains($0.partition) }
        last = nil
    }
}
