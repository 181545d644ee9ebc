import Kafka

/// The daemon's requirement on its customer-keyed input topics (clicks, orders, control): they are
/// co-partitioned, i.e. have the same partition count and the same key, so that a customer's events
/// on every topic arrive on the same partition number and therefore at the same instance, which
/// holds that customer's state. Kafka does not check it (Kafka Streams refuses such a topology at
/// start); a clickstream of 8 partitions beside an orders topic of 4, or a control topic of 1,
/// would split customers between instances and send a `forget_user` where the customer is not.
///
/// Checked on every assignment (the range assignor gives each instance the same partition numbers
/// of co-partitioned topics): the sets of partition numbers assigned per topic must be equal.
public enum CoPartitioning {
    /// Nil when `assignment` has the same partition numbers of every topic in `userKeyed`, else a
    /// message naming the topics and their partition numbers.
    public static func problem(assignment: Set<TopicPartition>, userKeyed topics: [String]) -> String? {
        guard topics.count > 1 else { return nil }
        var numbers: [String: Set<Int32>] = [:]
        for t in topics { numbers[t] = [] }
        for tp in assignment where numbers[tp.topic] != nil { numbers[tp.topic]!.insert(tp.partition) }
        let first = numbers[topics[0]]!
        guard topics.contains(where: { numbers[$0] != first }) else { return nil }
        let listed = topics.map { t -> String in
            let n = numbers[t]!.sorted()
            return "\(t) \(n.isEmpty ? "none (does the topic exist?)" : n.map(String.init).joined(separator: ","))"
        }
        return "input topics are not co-partitioned: this instance was assigned partitions " + listed.joined(separator: "; ")
            + ". Customer-keyed input topics (clickstream, orders, control) need the same number of partitions "
            + "(deploy/create-topics.sh creates them so)"
    }
}
