package dev.brook.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MetadataStoreFormatTest {

    @Property(tries = 500)
    void whatIsWrittenLoadsBackAsTheSameEntries(@ForAll("entries") Map<String, String> entries) throws IOException {
        Properties written = new Properties();
        entries.forEach(written::setProperty);

        Properties read = new Properties();
        read.load(new StringReader(MetadataStore.format(written)));

        assertThat(read).isEqualTo(written);
    }

    @Test
    void oneSortedLinePerEntryAndNoDateComment() {
        Properties p = new Properties();
        p.setProperty("node.id", "1");
        p.setProperty("cluster.id", "a b");
        p.setProperty("config.x y", " lead=ing:#!\\");

        assertThat(MetadataStore.format(p)).isEqualTo(
                "cluster.id=a b\n" + "config.x\\ y=\\ lead\\=ing\\:\\#\\!\\\\\n" + "node.id=1\n");
    }

    /** Keys and values of any characters but lone surrogates, which no UTF-8 file can hold; spaces and separators often. */
    @Provide
    Arbitrary<Map<String, String>> entries() {
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').ofMaxLength(12),
                Arbitraries.strings().withChars(" \t\r\n\f=:#!\\ab\u00e9\u2028").ofMaxLength(8));
        return Arbitraries.maps(text, text).ofMaxSize(6);
    }
}
