package idle.shared.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.model.Distribution;
import idle.shared.model.JobNeeds;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import idle.shared.model.PythonEnvironment;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Limits;
import idle.shared.protocol.ProtocolException;
import idle.shared.protocol.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package inventory on the wire: the largest lender, job and pool view allowed fit in one
 * frame and survive it; what breaks the rules (a non-canonical spec, an environment index out of
 * range, a distribution naming a module its environment does not list) is a protocol error.
 */
class InventoryWireTest {
    private static String name(String prefix, int i, int length) {
        String s = prefix + i;
        return s + "x".repeat(length - s.length());
    }

    /** An environment at every bound: names and versions of the longest length, lists full. */
    static PythonEnvironment fullEnvironment(int e) {
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < PythonEnvironment.MAX_MODULES; i++) {
            modules.add(name("m" + e + "_", i, ModuleNeed.MAX_NAME));
        }
        List<Distribution> dists = new ArrayList<>();
        for (int i = 0; i < PythonEnvironment.MAX_DISTRIBUTIONS; i++) {
            // the distributions name every module once between them
            int from = i * PythonEnvironment.MAX_MODULES / PythonEnvironment.MAX_DISTRIBUTIONS;
            int to = (i + 1) * PythonEnvironment.MAX_MODULES / PythonEnvironment.MAX_DISTRIBUTIONS;
            dists.add(new Distribution(name("d", i, ModuleNeed.MAX_NAME),
                    "1." + "0".repeat(Distribution.MAX_VERSION - 2), modules.subList(from, to)));
        }
        return new PythonEnvironment("3.11.2", modules, dists);
    }

    @Test
    void theLargestLenderFitsInOneFrameWithRoomToSpare() throws ProtocolException {
        List<PythonEnvironment> envs = new ArrayList<>();
        for (int e = 0; e < LenderCapabilities.MAX_ENVIRONMENTS; e++) {
            envs.add(fullEnvironment(e));
        }
        Message m = new Message.MakeLender(new LenderCapabilities("3.11.2", 64, 1L << 20, 8, 600,
                2048, 3600, 100, "s".repeat(1000), true, envs));
        Frame f = Codec.encode(1, m);
        assertTrue(f.payload().length < 3 * 1024 * 1024, "MML of " + f.payload().length + " bytes");
        assertEquals(m, CodecRoundTripTest.roundTrip(1, m));
    }

    @Test
    void theLargestNeedsAndPoolViewFit() throws ProtocolException {
        List<ModuleNeed> needs = new ArrayList<>();
        for (int i = 0; i < JobNeeds.MAX_MODULES; i++) {
            needs.add(ModuleNeed.parse(name("n", i, ModuleNeed.MAX_NAME) + ">=1.0,<2.0,!=1.5.*"));
        }
        byte[] script = "import numpy\n".getBytes(StandardCharsets.UTF_8);
        Message rcs = new Message.RunScript("a.py", script, Sha256.hex(script), List.of(),
                List.of(), new JobNeeds("3.10", 0, 0, needs), WaitPolicy.QUEUE);
        assertTrue(Codec.payload(rcs).length < 64 * 1024, "needs of " + Codec.payload(rcs).length);
        assertEquals(rcs, CodecRoundTripTest.roundTrip(2, rcs));

        List<PoolModule> pool = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (int v = 0; v < PoolModule.MAX_VERSIONS; v++) {
            versions.add(v + "." + "9".repeat(Distribution.MAX_VERSION - 3));
        }
        for (int i = 0; i < PoolStatus.MAX_MODULES; i++) {
            pool.add(new PoolModule(name("p", i, ModuleNeed.MAX_NAME), i, versions));
        }
        Message gpt = new Message.Success(new Result.Pool(new PoolStatus(1, 2, 3, 4, pool)));
        assertTrue(Codec.payload(gpt).length < 2 * 1024 * 1024);
        assertEquals(gpt, CodecRoundTripTest.roundTrip(3, gpt));
    }

    @Test
    void aSpecNotInCanonicalFormIsAProtocolError() {
        byte[] script = "pass".getBytes(StandardCharsets.UTF_8);
        Message rcs = new Message.RunScript("a.py", script, Sha256.hex(script), List.of(),
                List.of(), new JobNeeds("", 0, 0, List.of(ModuleNeed.parse("numpy>=1.0a1"))),
                WaitPolicy.QUEUE);
        byte[] p = Codec.payload(rcs);
        String text = new String(p, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(">=1.0a1");
        assertTrue(at > 0);
        p[at + 5] = 'A'; // ">=1.0A1": the same spec, spelled another way
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Codec.decode(new Frame(Code.RCS, 1, p)));
        assertTrue(e.getMessage().contains("canonical"), e.getMessage());
        p[at] = '?'; // "?=1.0A1": no operator at all
        e = assertThrows(ProtocolException.class, () -> Codec.decode(new Frame(Code.RCS, 1, p)));
        assertTrue(e.getMessage().contains("does not start with"), e.getMessage());
    }

    @Test
    void anEnvironmentIndexOutOfRangeIsAProtocolError() {
        byte[] script = "pass".getBytes(StandardCharsets.UTF_8);
        byte[] p = Codec.payload(new Message.Execute(1, 1, "a.py", script, Sha256.hex(script),
                List.of(), List.of(), JobNeeds.NONE, 3));
        p[p.length - 2] = (byte) LenderCapabilities.MAX_ENVIRONMENTS; // before the task byte
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Codec.decode(new Frame(Code.EXF, -1, p)));
        assertTrue(e.getMessage().contains("environment 4"), e.getMessage());
    }

    @Test
    void aDistributionNamingAnUnlistedModuleIsAProtocolError() {
        PayloadWriter w = new PayloadWriter();
        w.str("3.11.2").i32(1).i64(1).i32(1).i32(1).i32(1).i32(1).i32(1).str("s").bool(false);
        w.u8(0).u8(1); // one environment
        w.str("3.11.2").strs(List.of("numpy"));
        w.u8(0).u8(1).str("evil").str("1.0").strs(List.of("os")); // provides a module not listed
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> Codec.decode(new Frame(Code.MML, 1, w.toBytes())));
        assertTrue(e.getMessage().contains("not in the module list"), e.getMessage());
    }

    @Test
    void aLenderWithoutEnvironmentsIsAProtocolError() {
        PayloadWriter w = new PayloadWriter();
        w.str("3.11.2").i32(1).i64(1).i32(1).i32(1).i32(1).i32(1).i32(1).str("s").bool(false);
        w.u8(0).u8(0);
        assertThrows(ProtocolException.class, () -> Codec.decode(new Frame(Code.MML, 1, w.toBytes())));
    }
}
