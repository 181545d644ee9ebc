#!/bin/sh
# Creates StreamCRM's topics on a real Kafka cluster with kafka-topics.sh (from the Apache Kafka
# distribution). Idempotent (--if-not-exists). Topic names are the defaults of the topic.* keys;
# override them with the same environment variables the daemon reads (STREAMCRM_TOPIC_ORDERS=...).
#
#   BOOTSTRAP=kafka1:9092 PARTITIONS=12 REPLICATION=3 deploy/create-topics.sh
#   KAFKA_TOPICS="docker exec kafka /opt/kafka/bin/kafka-topics.sh" BOOTSTRAP=localhost:9092 REPLICATION=1 deploy/create-topics.sh
#
# Every input topic gets the same partition count: a customer's events are keyed by user id and
# must land on the same partition number of the clickstream and orders topics (DESIGN.md §9).
# The partition count is the most instances that can share the work; it cannot be lowered later.
# Extra kafka-topics.sh options (TLS/SASL: --command-config client.properties) go in KAFKA_TOPICS_OPTS.
set -eu
: "${BOOTSTRAP:=localhost:9092}"
: "${PARTITIONS:=12}"
: "${REPLICATION:=3}"
: "${KAFKA_TOPICS:=kafka-topics.sh}"
: "${KAFKA_TOPICS_OPTS:=}"
# Retention of the event topics (ms); the daemon needs the events since its last checkpoint only,
# but a longer retention lets a fresh state directory rebuild from the beginning.
: "${EVENT_RETENTION_MS:=2592000000}"   # 30 days
: "${OUTPUT_RETENTION_MS:=604800000}"   # 7 days
min_isr=$(( REPLICATION > 1 ? 2 : 1 ))

create() { # name cleanup.policy retention.ms
  echo "create-topics: $1 (partitions $PARTITIONS, replication $REPLICATION, cleanup.policy=$2)"
  # shellcheck disable=SC2086
  $KAFKA_TOPICS --bootstrap-server "$BOOTSTRAP" $KAFKA_TOPICS_OPTS --create --if-not-exists \
    --topic "$1" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config "cleanup.policy=$2" --config "min.insync.replicas=$min_isr" ${3:+--config "retention.ms=$3"}
}

# Inputs.
create "${STREAMCRM_TOPIC_CLICKSTREAM:-shop.clickstream}" delete "$EVENT_RETENTION_MS"
create "${STREAMCRM_TOPIC_ORDERS:-shop.orders}" delete "$EVENT_RETENTION_MS"
# The catalog is a table (latest record per item id): compacted, kept forever.
create "${STREAMCRM_TOPIC_CATALOG:-shop.catalog}" compact ""
create "${STREAMCRM_TOPIC_CONTROL:-streamcrm.control}" delete "$EVENT_RETENTION_MS"
# Outputs.
create "${STREAMCRM_TOPIC_RECOMMENDATIONS:-streamcrm.recommendations}" delete "$OUTPUT_RETENTION_MS"
create "${STREAMCRM_TOPIC_CHURN_ALERTS:-streamcrm.churn-alerts}" delete "$OUTPUT_RETENTION_MS"
# Current segment per customer (key = user id): compacted; erasure publishes tombstones here.
create "${STREAMCRM_TOPIC_SEGMENTS:-streamcrm.segments}" compact ""
create "${STREAMCRM_TOPIC_DEAD_LETTER:-streamcrm.dead-letter}" delete "$OUTPUT_RETENTION_MS"
# Checkpointed customer state (key = user id), co-partitioned with the inputs: compacted, kept
# forever. One per consumer group: <group.id>.changelog unless topic.changelog names it.
create "${STREAMCRM_TOPIC_CHANGELOG:-${STREAMCRM_GROUP_ID:-streamcrm}.changelog}" compact ""
echo "create-topics: done; list with: $KAFKA_TOPICS --bootstrap-server $BOOTSTRAP --describe"
