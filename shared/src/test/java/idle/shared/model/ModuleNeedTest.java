package idle.shared.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.packages.VersionSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requirements as people write them, and the bounds of the inventory records. */
class ModuleNeedTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "numpy|numpy|", "numpy>=1.24|numpy|>=1.24", " pandas >=2, <3 |pandas|>=2,<3",
        "scikit-learn~=1.3.0|scikit-learn|~=1.3.0", "zope.interface==6.*|zope.interface|==6.*",
        "_cffi_backend|_cffi_backend|"})
    void parsesNameAndSpec(String text, String name, String spec) {
        ModuleNeed n = ModuleNeed.parse(text);
        assertEquals(name, n.name());
        assertEquals(spec == null ? "" : spec, n.spec().toString());
        assertEquals(n, ModuleNeed.parse(n.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "|does not start with a package name", ">=1.0|does not start with a package name",
        "numpy[extra]>=1|extras, markers and URLs", "numpy; python_version<'3.12'|extras, markers",
        "pkg @ https://x/y.whl|extras, markers", "numpy 1.24|does not start with ==",
        "été|does not start with a package name", "-x|is not a package name"})
    void refusesWhatItCannotMatchSayingWhy(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModuleNeed.parse(text == null ? "" : text));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void namesAreBounded() {
        assertThrows(IllegalArgumentException.class, () -> ModuleNeed.any("a".repeat(65)));
        assertEquals(64, ModuleNeed.any("a".repeat(64)).name().length());
        assertThrows(IllegalArgumentException.class, () -> ModuleNeed.any("a/b"));
        assertThrows(IllegalArgumentException.class, () -> ModuleNeed.any("a\nb"));
    }

    @Test
    void distributionNamesNormalizeThePep503Way() {
        assertEquals("scikit-learn", ModuleNeed.normalize("Scikit_Learn"));
        assertEquals("zope-interface", ModuleNeed.normalize("zope.interface"));
        assertEquals("a-b", ModuleNeed.normalize("A-_.b"));
    }

    @Test
    void jobNeedsRefuseDuplicatesAndTooMany() {
        assertThrows(IllegalArgumentException.class, () -> new JobNeeds("", 0, 0,
                List.of(ModuleNeed.any("numpy"), ModuleNeed.parse("numpy>=1"))));
        List<ModuleNeed> many = new ArrayList<>();
        for (int i = 0; i <= JobNeeds.MAX_MODULES; i++) {
            many.add(ModuleNeed.any("m" + i));
        }
        assertThrows(IllegalArgumentException.class, () -> new JobNeeds("", 0, 0, many));
        assertEquals(JobNeeds.MAX_MODULES,
                new JobNeeds("", 0, 0, many.subList(0, JobNeeds.MAX_MODULES)).modules().size());
    }

    @Test
    void environmentsAreConsistentAndBounded() {
        assertThrows(IllegalArgumentException.class, () -> new PythonEnvironment("3.11",
                List.of("a", "a"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new PythonEnvironment("3.11",
                List.of("a"), List.of(new Distribution("d", "1", List.of("b")))));
        assertThrows(IllegalArgumentException.class, () -> new PythonEnvironment("3.11",
                List.of(), List.of(new Distribution("d", "1", List.of()),
                        new Distribution("d", "2", List.of()))));
        assertThrows(IllegalArgumentException.class, () -> new Distribution("d", "1 2", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new Distribution("d", "1".repeat(33), List.of()));
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= PythonEnvironment.MAX_MODULES; i++) {
            many.add("m" + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new PythonEnvironment("3", many, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LenderCapabilities("3", 1, 1, 1, 1,
                1, 1, 1, "", false, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new LenderCapabilities("3", 1, 1, 1, 1,
                1, 1, 1, "", false, List.of(PythonEnvironment.unknown("3"),
                        PythonEnvironment.unknown("3"), PythonEnvironment.unknown("3"),
                        PythonEnvironment.unknown("3"), PythonEnvironment.unknown("3"))));
        assertEquals(VersionSpec.ANY, ModuleNeed.any("x").spec());
    }
}
