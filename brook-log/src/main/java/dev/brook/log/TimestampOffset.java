package dev.brook.log;

/** A record's timestamp and offset, as ListOffsets answers it. */
public record TimestampOffset(long timestamp, long offset) {
}
