package dev.brook.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.TimeZone;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class LogClockTest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /**
     * Any instant from 1900 to the end of 2036 in any zone the JDK knows, daylight saving and odd historic offsets
     * included. (Near the end of java.util.TimeZone's tables some zones stop agreeing with java.time's rules: Africa/Windhoek
     * from 2036-12-31T23:00Z, Asia/Gaza and Asia/Hebron from 2037-10-10. The bound was 2038 once, and jqwik's edge case
     * at it with Windhoek failed a CI run. LogClock uses TimeZone: java.time's zone rules cost about 20 ms at startup.)
     */
    @Property(tries = 2000)
    void formatsTheLocalTimeOfDayLikeJavaTime(@ForAll @LongRange(min = -2_208_988_800_000L, max = 2_114_294_400_000L) long millis,
                                              @ForAll("zones") String zone) {
        StringBuilder out = new StringBuilder();
        new LogClock(TimeZone.getTimeZone(zone)).appendTime(millis, out);

        assertThat(out).hasToString(TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneId.of(zone))));
    }

    @Provide
    Arbitrary<String> zones() {
        return Arbitraries.of(ZoneId.getAvailableZoneIds());
    }
}
