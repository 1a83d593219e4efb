package idle.shared.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The PEP 440 subset: version order, each operator, canonical text, and what is refused. */
class VersionSpecTest {
    private static Version v(String s) {
        Version x = Version.parse(s);
        assertNotNull(x, s);
        return x;
    }

    @Test
    void releasesCompareNumericallyWithMissingSegmentsAsZero() {
        assertTrue(v("1.10").compareTo(v("1.9")) > 0, "1.10 > 1.9, not as text");
        assertEquals(0, v("1.24").compareTo(v("1.24.0")));
        assertEquals(v("1.24"), v("1.24.0.0"));
        assertEquals(v("1.24").hashCode(), v("1.24.0").hashCode());
        assertTrue(v("2").compareTo(v("1.99.99")) > 0);
        assertTrue(v("1!0.1").compareTo(v("99.0")) > 0, "an epoch wins");
    }

    @Test
    void preAndPostAndDevReleasesSortAroundTheirRelease() {
        List<String> order = List.of("1.0.dev1", "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0",
                "1.0+local", "1.0.post1", "1.0.post2.dev1", "1.0.post2", "1.1.dev0", "1.1");
        for (int i = 0; i + 1 < order.size(); i++) {
            assertTrue(v(order.get(i)).compareTo(v(order.get(i + 1))) < 0,
                    order.get(i) + " < " + order.get(i + 1));
        }
        assertEquals(v("1.0rc1"), v("1.0-RC-1"));
        assertEquals(v("1.0.post1"), v("1.0-1"));
        assertEquals(v("1.0a0"), v("1.0alpha"));
        assertTrue(v("1.0rc1").isPreRelease() && !v("1.0.post1").isPreRelease());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1..2", "1.0+", "1.0 2", "-1", "1.2.3.4.5.6.7.8.9.10.11.12.13",
        "99999999999", "2023-debian-1"})
    void junkIsNotAVersion(String s) {
        assertNull(Version.parse(s), s);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        ">=1.24|1.24|true", ">=1.24|1.24.2|true", ">=1.24|1.23.9|false", ">=1.24|1.26.4|true",
        ">1.24|1.24.0|false", ">1.24|1.24.1|true", "<2|1.99|true", "<2|2.0|false", "<=2|2.0|true",
        "==1.26.4|1.26.4|true", "==1.26|1.26.0|true", "==1.26.4|1.26.5|false",
        "==1.26.4|1.26.4+ubuntu1|true", "==1.26.4+ubuntu1|1.26.4|false",
        "!=1.26.4|1.26.4|false", "!=1.26.4|1.26.3|true",
        "==1.26.*|1.26.4|true", "==1.26.*|1.26|true", "==1.26.*|1.27.0|false",
        "==1.*|1.26.4|true", "!=1.26.*|1.26.9|false", "!=1.26.*|1.25|true",
        "~=1.4.2|1.4.5|true", "~=1.4.2|1.4.1|false", "~=1.4.2|1.5.0|false", "~=1.4|1.9|true",
        "~=1.4|2.0|false",
        ">=1.24,<2|1.26.4|true", ">=1.24,<2|2.0.0|false", ">=1.24,<2,!=1.25.0|1.25|false",
        ">=99|1.24.2|false", ">=2.0|2.0rc1|false", ">=2.0rc1|2.0|true",
        "|whatever-not-a-version|true", ">=1|whatever-not-a-version|false"})
    void eachOperatorMatchesAsPep440Says(String spec, String version, boolean expected) {
        VersionSpec s = VersionSpec.parse(spec == null ? "" : spec);
        assertEquals(expected, s.matches(version), spec + " vs " + version);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        ">= 1.24 , < 2|>=1.24,<2", "==v1.0|==1.0", "~=1.4.2|~=1.4.2", "==1.26.*|==1.26.*",
        ">=1.0-1|>=1.0.post1", "!=2.0RC1|!=2.0rc1", ">0|>0"})
    void toStringIsTheCanonicalTextAndParsesBackEqual(String text, String canonical) {
        VersionSpec s = VersionSpec.parse(text);
        assertEquals(canonical, s.toString());
        assertEquals(s, VersionSpec.parse(s.toString()));
        assertEquals(canonical, VersionSpec.parse(canonical).toString());
    }

    @Test
    void theEmptySpecIsAny() {
        assertTrue(VersionSpec.parse("  ").isAny());
        assertEquals("", VersionSpec.ANY.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1.24|does not start with", "=1.24|does not start with", "==|is not a version",
        ">=abc|is not a version", "===1.0|not supported", ">=1.*|only follows == or !=",
        "~=1|at least two release numbers", "==1.0rc1.*|release numbers only",
        ">=1,,<2|does not start with", ">=1,|does not start with"})
    void badSpecsAreRefusedSayingWhy(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VersionSpec.parse(text));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void hugeSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> VersionSpec.parse(">=1,".repeat(9) + ">=1"));
        assertThrows(IllegalArgumentException.class, () -> VersionSpec.parse(">=" + "1.".repeat(150) + "1"));
        assertFalse(VersionSpec.parse(">=1").matches("1." + "0".repeat(100)));
    }
}
