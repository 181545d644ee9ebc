#!/bin/sh
# Creates StreamCRM's topics on a real Kafka cluster with kafka-topics.sh (from the Apache Kafka
# distribution). Idempotent (--if-not-exists). Topic names (and group.id, which names the
# changelog) come, highest first, from the environment variables the daemon reads
# (STREAMCRM_TOPIC_ORDERS=..., STREAMCRM_GROUP_ID=...), then from the daemon's properties file when
# CONFIG names it, then the defaults.
#
#   CONFIG=/etc/streamcrm/streamcrm.properties BOOTSTRAP=kafka1:9092 PARTITIONS=12 REPLICATION=3 deploy/create-topics.sh
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
: "${CONFIG:=}"
if [ -n "$CONFIG" ] && [ ! -r "$CONFIG" ]; then echo "create-topics: cannot read CONFIG=$CONFIG" >&2; exit 1; fi

# name KEY ENV DEFAULT: the environment variable, else KEY in $CONFIG (key=value or key: value;
# the last one wins, as in the daemon), else DEFAULT.
name() {
  eval "v=\${$2:-}"
  if [ -z "$v" ] && [ -n "$CONFIG" ]; then
    v=$(sed -n "s/^[[:space:]]*$(printf '%s' "$1" | sed 's/\./\\./g')[[:space:]]*[=:][[:space:]]*//p" "$CONFIG" | tail -n 1 | sed 's/[[:space:]]*$//')
  fi
  printf '%s' "${v:-$3}"
}

create() { # name cleanup.policy retention.ms
  echo "create-topics: $1 (partitions $PARTITIONS, replication $REPLICATION, cleanup.policy=$2)"
  # shellcheck disable=SC2086
  $KAFKA_TOPICS --bootstrap-server "$BOOTSTRAP" $KAFKA_TOPICS_OPTS --create --if-not-exists \
    --topic "$1" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config "cleanup.policy=$2" --config "min.insync.replicas=$min_isr" ${3:+--config "retention.ms=$3"}
}

# Inputs.
create "$(name topic.clickstream STREAMCRM_TOPIC_CLICKSTREAM shop.clickstream)" delete "$EVENT_RETENTION_MS"
create "$(name topic.orders STREAMCRM_TOPIC_ORDERS shop.orders)" delete "$EVENT_RETENTION_MS"
# The catalog is a table (latest record per item id): compacted, kept forever.
create "$(name topic.catalog STREAMCRM_TOPIC_CATALOG shop.catalog)" compact ""
create "$(name topic.control STREAMCRM_TOPIC_CONTROL streamcrm.control)" delete "$EVENT_RETENTION_MS"
# Outputs.
create "$(name topic.recommendations STREAMCRM_TOPIC_RECOMMENDATIONS streamcrm.recommendations)" delete "$OUTPUT_RETENTION_MS"
create "$(name topic.churn_alerts STREAMCRM_TOPIC_CHURN_ALERTS streamcrm.churn-alerts)" delete "$OUTPUT_RETENTION_MS"
# Current segment per customer (key = user id): compacted; erasure publishes tombstones here.
create "$(name topic.segments STREAMCRM_TOPIC_SEGMENTS streamcrm.segments)" compact ""
create "$(name topic.dead_letter STREAMCRM_TOPIC_DEAD_LETTER streamcrm.dead-letter)" delete "$OUTPUT_RETENTION_MS"
# Checkpointed customer state (key = user id), co-partitioned with the inputs: compacted, kept
# forever. One per consumer group: <group.id>.changelog unless topic.changelog names it.
changelog=$(name topic.changelog STREAMCRM_TOPIC_CHANGELOG "")
[ -n "$changelog" ] || changelog="$(name group.id STREAMCRM_GROUP_ID streamcrm).changelog"
[ "$changelog" = off ] || create "$changelog" compact ""
echo "create-topics: done; list with: $KAFKA_TOPICS --bootstrap-server $BOOTSTRAP --describe"
