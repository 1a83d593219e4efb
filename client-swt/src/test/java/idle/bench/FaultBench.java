package idle.bench;

import idle.fault.FaultScenarios;
import java.util.ArrayList;
import java.util.List;

/** The fault-injection scenarios at a larger size than in {@code ./idle test} (full run only). */
final class FaultBench {
    private final BenchContext ctx;

    FaultBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<Figure> run() throws Exception {
        List<Figure> out = new ArrayList<>();
        out.add(one("fault-lender-kill", "25 lender processes SIGKILLed mid-job", () ->
                new FaultScenarios(ctx.dir("fault-kills"), ctx::log).lenderKills(25,
                        System.nanoTime())));
        out.add(one("fault-server-kill", "server SIGKILLed with 1,500 jobs queued", () ->
                new FaultScenarios(ctx.dir("fault-server"), ctx::log).serverKill(1_500)));
        out.add(one("fault-runner-cut", "runner connection cut 10 times mid-stream", () ->
                new FaultScenarios(ctx.dir("fault-cut"), ctx::log).runnerCut(10, 30_000,
                        System.nanoTime())));
        return out;
    }

    interface Scenario {
        String run() throws Exception;
    }

    private Figure one(String id, String title, Scenario s) {
        long t0 = System.nanoTime();
        try {
            String r = s.run();
            double secs = (System.nanoTime() - t0) / 1e9;
            return new Figure(id, title, secs, "s", Double.NaN, "", "-",
                    "nothing lost, repeated or garbled", "PASS", r);
        } catch (Throwable e) {
            ctx.log(id + " failed: " + e);
            return new Figure(id, title, Double.NaN, "", Double.NaN, "", "-",
                    "nothing lost, repeated or garbled", "FAIL", String.valueOf(e));
        }
    }
}
