/// Erasure (DESIGN.md §7): `forget_user` removes a customer from memory (the checkpoint then
/// removes them from the store and the changelog) and publishes tombstones for their key.
extension CRMEngine {
    /// A `forget_user` read at `position`. With a time (the message timestamp of a dedicated control
    /// topic) it waits until the customer's partition has reached that time or is read to its end
    /// (``HeldForgets``); without one (replay, or clicks and orders sharing the control topic, which
    /// orders them already) it applies at once.
    func requestForget(_ userID: String, partition: Int32, position: SourcePosition, at time: EventTime?,
                       into outputs: inout [ModelOutput]) {
        if let time, !partitionClocks.caughtUp.contains(partition),
           (partitionClocks.latest[partition] ?? .min) < time {
            heldForgets.hold(HeldForgets.Entry(userID: userID, at: time, topic: position.topic, offset: position.offset),
                             partition: partition)
            return
        }
        forget(userID, partition: partition, into: &outputs)
    }

    /// Applies the held forgets of `partition` at or before `time` (an event at `time` is next).
    func releaseForgets(partition: Int32, reaching time: EventTime, into outputs: inout [ModelOutput]) {
        for entry in heldForgets.release(partition: partition, reaching: time) {
            forget(entry.userID, partition: partition, into: &outputs)
        }
    }

    /// Applies every held forget of `partitions` (nil: of all partitions).
    func releaseAllForgets(partitions: Set<Int32>?, into outputs: inout [ModelOutput]) {
        guard !heldForgets.isEmpty else { return }
        for (p, entry) in heldForgets.releaseAll(partitions: partitions) { forget(entry.userID, partition: p, into: &outputs) }
    }

    func forget(_ userID: String, partition: Int32, into outputs: inout [ModelOutput]) {
        dirtyCustomers.remove(userID)
        erasedCustomers[userID] = customers[userID]?.partition ?? partition
        if let customer = customers.removeValue(forKey: userID) {
            let p = customer.profile
            // With frozen models the customer's events added nothing to the co-occurrence (what
            // it holds came from the seed, aggregated, not per customer): nothing to subtract.
            if !config.freezeGlobalModels { similarity.forget(recent: p.recent) }
            sessions.forget(customer: userID)
            if let first = p.firstOrderAt, let last = p.lastOrderAt, p.orderCount > 0 {
                churnSummaries.remove(orders: p.orderCount, firstOrderAt: first, lastOrderAt: last)
            }
            _ = timers.cancel(user: userID)
            partitionClocks.cancel(user: userID, partition: customer.partition)
        }
        stats.forgotten += 1
        outputs.append(.tombstone(userID: userID))
    }
}
