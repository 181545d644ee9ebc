import Crdkafka

/// A change of a group consumer's assignment, passed to the consumer's rebalance handler from
/// inside `poll` (or `close`).
public enum RebalanceEvent: Sendable, Equatable {
    /// These partitions were assigned. The handler may return starting offsets for some or all
    /// of them; partitions it leaves out (or all, when it returns nil) start at the group's
    /// committed offset, or at `auto.offset.reset` when none is committed. Under the cooperative
    /// protocol these are only the newly added partitions.
    case assigned([TopicPartition])
    /// These partitions are about to be taken away. The handler runs before they are unassigned,
    /// so the caller can checkpoint (and commit) them. Under the eager protocol this is the whole
    /// assignment. (A commit from inside the handler may fail with `REBALANCE_IN_PROGRESS`; commit
    /// regularly, not only here.)
    case revoked([TopicPartition])
    /// These partitions were lost without an orderly revoke (session timeout, fatal group error):
    /// another member may already own them, so do not commit for them.
    case lost([TopicPartition])
}

/// The rebalance handler; its return value is used only for `.assigned`.
public typealias RebalanceHandler = (RebalanceEvent) -> [TopicPartitionOffset]?

/// The C-facing side of rebalancing, called by the consumer's `@convention(c)` rebalance
/// callback on the thread inside `poll`/`close`.
enum Rebalancer {
    /// Runs the caller's handler and performs the (incremental) assign or unassign.
    /// `partitions` is owned by librdkafka; we only read it and set offsets in it.
    static func handle(rk: OpaquePointer, err: rd_kafka_resp_err_t,
                       partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>,
                       context ctx: ClientContext) {
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let list = PartitionList(borrowing: partitions)
        let parts = list.partitions
        do throws(KafkaError) {
            switch err {
            case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
                if let chosen = ctx.rebalanceHandler?(.assigned(parts)) {
                    var byPartition: [TopicPartition: Int64] = [:]
                    for o in chosen { byPartition[o.topicPartition] = o.offset }
                    for i in 0..<Int(partitions.pointee.cnt) {
                        if let off = byPartition[parts[i]] { partitions.pointee.elems[i].offset = off }
                    }
                }
                if cooperative {
                    try KafkaError.check(rd_kafka_incremental_assign(rk, partitions), "incremental assign")
                } else {
                    try KafkaError.check(rd_kafka_assign(rk, partitions), "assign")
                }
            case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
                let lost = rd_kafka_assignment_lost(rk) != 0
                _ = ctx.rebalanceHandler?(lost ? .lost(parts) : .revoked(parts))
                if cooperative {
                    try KafkaError.check(rd_kafka_incremental_unassign(rk, partitions), "incremental unassign")
                } else {
                    try KafkaError.check(rd_kafka_assign(rk, nil), "unassign")
                }
            default:
                // A failed rebalance: librdkafka asks us to drop the whole current assignment.
                ctx.rebalanceErrors.append(KafkaError(err, context: "rebalance"))
                var current: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
                if rd_kafka_assignment(rk, &current) == RD_KAFKA_RESP_ERR_NO_ERROR, let current {
                    let owned = PartitionList(taking: current)   // rd_kafka_assignment's list is ours
                    if !owned.partitions.isEmpty { _ = ctx.rebalanceHandler?(.lost(owned.partitions)) }
                }
                _ = rd_kafka_assign(rk, nil)
            }
        } catch {
            ctx.rebalanceErrors.append(error)
        }
    }
}
