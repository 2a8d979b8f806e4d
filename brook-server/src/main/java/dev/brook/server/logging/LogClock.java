package dev.brook.server.logging;

import java.util.TimeZone;

/**
 * Wall-clock time of day in the default time zone, {@code HH:mm:ss.SSS}, formatted by arithmetic: no
 * {@code SimpleDateFormat} or {@code DateTimeFormatter}, whose first use loads locale data (tens of milliseconds
 * of startup). The zone's offset is looked up for every event, so daylight-saving changes show at once.
 */
final class LogClock {
    private final TimeZone zone;

    LogClock() {
        this(TimeZone.getDefault());
    }

    LogClock(TimeZone zone) {
        this.zone = zone;
    }

    void appendTime(long epochMillis, StringBuilder out) {
        long local = epochMillis + zone.getOffset(epochMillis);
        int msOfDay = (int) Math.floorMod(local, 86_400_000L);
        two(msOfDay / 3_600_000, out);
        out.append(':');
        two(msOfDay / 60_000 % 60, out);
        out.append(':');
        two(msOfDay / 1000 % 60, out);
        int ms = msOfDay % 1000;
        out.append('.').append((char) ('0' + ms / 100));
        two(ms % 100, out);
    }

    private static void two(int v, StringBuilder out) {
        out.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
