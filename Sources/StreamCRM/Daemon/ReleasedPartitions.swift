import Foundation

/// Partition numbers whose customer state the local store still holds although this instance no
/// longer owns them (another instance took them over, or this one restarted without them), each
/// with the moment it was released or found.
///
/// The changelog holds their state, so after `state.cleanup.delay.ms` the store drops it: a
/// former owner keeps no copy of customers it no longer serves, customers that their new owner
/// erased included. Until then a partition assigned back (the usual case in an eager rebalance,
/// which revokes everything and reassigns most of it) resumes from the local store without a
/// rebuild. Wall-clock housekeeping: it changes where state is kept, never what it is.
struct ReleasedPartitions {
    private var since: [Int32: Date] = [:]

    /// Whether no partition is waiting to be dropped.
    var isEmpty: Bool { since.isEmpty }

    /// Notes partitions given up at `time`; one already waiting keeps its earlier time.
    mutating func released(_ partitions: some Sequence<Int32>, at time: Date) {
        for p in partitions where since[p] == nil { since[p] = time }
    }

    /// Partitions assigned again: their state is in use, nothing to drop.
    mutating func owned(_ partitions: some Sequence<Int32>) {
        for p in partitions { since[p] = nil }
    }

    /// Removes and returns (sorted) the partitions released at least `delay` seconds before `now`.
    mutating func takeDue(at now: Date, delay: TimeInterval) -> [Int32] {
        let due = since.filter { now.timeIntervalSince($0.value) >= delay }.keys.sorted()
        for p in due { since[p] = nil }
        return due
    }
}
