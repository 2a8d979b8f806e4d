package dev.brook.broker.share;

import java.util.Map;

/**
 * A share group's settings for its share-partitions: its own GROUP configs over Kafka 4.4's defaults (the configs are
 * validated, with their bounds, by {@code GroupConfigs} when set).
 *
 * @param lockDurationMs     {@code share.record.lock.duration.ms} (30 s)
 * @param deliveryCountLimit {@code share.delivery.count.limit} (5)
 * @param maxRecordLocks     {@code share.partition.max.record.locks} (2000)
 * @param autoOffsetReset    {@code share.auto.offset.reset}: latest, earliest or by_duration:ISO-8601 (latest)
 * @param readCommitted      {@code share.isolation.level} is read_committed (read_uncommitted)
 * @param renewEnabled       {@code share.renew.acknowledge.enable} (true)
 * @param deadLetterTopic    {@code errors.deadletterqueue.topic.name} (none: empty)
 * @param copyRecord         {@code errors.deadletterqueue.copy.record.enable}: a dead letter carries the record's key
 *                           and value, not only the headers saying where it came from (false)
 */
public record ShareSettings(int lockDurationMs, int deliveryCountLimit, int maxRecordLocks, String autoOffsetReset,
                            boolean readCommitted, boolean renewEnabled, String deadLetterTopic, boolean copyRecord) {

    static ShareSettings of(Map<String, String> own) {
        return new ShareSettings(Integer.parseInt(own.getOrDefault("share.record.lock.duration.ms", "30000")),
                Integer.parseInt(own.getOrDefault("share.delivery.count.limit", "5")),
                Integer.parseInt(own.getOrDefault("share.partition.max.record.locks", "2000")),
                own.getOrDefault("share.auto.offset.reset", "latest").toLowerCase(java.util.Locale.ROOT),
                own.getOrDefault("share.isolation.level", "read_uncommitted").equals("read_committed"),
                Boolean.parseBoolean(own.getOrDefault("share.renew.acknowledge.enable", "true")),
                own.getOrDefault("errors.deadletterqueue.topic.name", ""),
                Boolean.parseBoolean(own.getOrDefault("errors.deadletterqueue.copy.record.enable", "false")));
    }

    SharePartition.Limits limits() {
        return new SharePartition.Limits(lockDurationMs, deliveryCountLimit, maxRecordLocks);
    }
}
