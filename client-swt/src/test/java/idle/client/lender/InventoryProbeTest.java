package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.Distribution;
import idle.shared.model.PythonEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading the probe's output: whatever an environment prints (its own sitecustomize may print
 * anything), the offer is valid and within the limits.
 */
class InventoryProbeTest {
    @Test
    void readsVersionModulesAndDistributions() {
        InventoryProbe.Inventory inv = InventoryProbe.parse("""
                V 3.11.2
                M numpy
                M yaml
                M _cffi_backend
                D numpy\t1.24.2\tnumpy
                D PyYAML\t6.0\tyaml
                D lazr.restfulclient\t0.14.5\t
                """);
        assertEquals(new PythonEnvironment("3.11.2", List.of("_cffi_backend", "numpy", "yaml"),
                List.of(new Distribution("lazr.restfulclient", "0.14.5", List.of()),
                        new Distribution("numpy", "1.24.2", List.of("numpy")),
                        new Distribution("PyYAML", "6.0", List.of("yaml")))), inv.environment());
        assertEquals(0, inv.leftOut());
    }

    @Test
    void junkIsLeftOutAndCounted() {
        InventoryProbe.Inventory inv = InventoryProbe.parse("""
                hello from sitecustomize
                V 3.12.1
                V 9.9.9
                M good
                M bad name
                M ../../etc
                D good\t1.0\tgood notlisted
                D good\t2.0\tgood
                D evil dist\t1\t
                D spaced\tnot a version\tgood
                D short\t1
                """);
        PythonEnvironment e = inv.environment();
        assertEquals("3.12.1", e.pythonVersion());
        assertEquals(List.of("good"), e.modules());
        assertEquals(List.of(new Distribution("good", "1.0", List.of("good")),
                new Distribution("spaced", "", List.of("good"))), e.distributions());
        assertEquals(7, inv.leftOut());
    }

    @Test
    void hugeInventoriesAreCutToTheLimits() {
        StringBuilder out = new StringBuilder("V 3.11.2\n");
        for (int i = 0; i < PythonEnvironment.MAX_MODULES + 500; i++) {
            out.append("M m").append(String.format("%05d", i)).append('\n');
        }
        for (int i = 0; i < PythonEnvironment.MAX_DISTRIBUTIONS + 10; i++) {
            out.append("D d").append(String.format("%05d", i)).append("\t1.0\tm")
                    .append(String.format("%05d", i)).append(" m").append(String.format("%05d", i + 1))
                    .append('\n');
        }
        InventoryProbe.Inventory inv = InventoryProbe.parse(out.toString());
        assertEquals(PythonEnvironment.MAX_MODULES, inv.environment().modules().size());
        assertEquals(PythonEnvironment.MAX_DISTRIBUTIONS, inv.environment().distributions().size());
        int refs = inv.environment().distributions().stream().mapToInt(d -> d.modules().size()).sum();
        assertTrue(refs <= PythonEnvironment.MAX_MODULES, "refs " + refs);
        assertTrue(inv.leftOut() >= 510, "left out " + inv.leftOut());
    }

    @Test
    void withoutAVersionTheProbeDidNotRun() {
        assertThrows(IllegalArgumentException.class, () -> InventoryProbe.parse("Traceback...\n"));
        assertThrows(IllegalArgumentException.class, () -> InventoryProbe.parse("V 2.7.18\n"));
    }
}
