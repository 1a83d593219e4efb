package idle.server.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.server.ReputationConfig;
import idle.shared.model.JobNeeds;
import idle.shared.model.LenderCapabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Lend-to-earn in the {@link Scheduler}'s fair share (issue 13), with real jobs and lender
 * handles: owners get free slots in proportion to {@code 1 + W * min(credit hours, 10)}, and
 * with {@code W = 0} the order is today's plain round robin.
 */
class SchedulerWeightTest {
    private static final long HOUR = 3_600_000;

    /** Credits by owner, as the reputation would give them. */
    private static Scheduler scheduler(double w, Map<String, Long> credit) {
        ReputationConfig c = ReputationConfig.defaults().withCreditPriority(w);
        return new Scheduler(owner -> c.weightOf(credit.getOrDefault(owner, 0L)));
    }

    /** Queues {@code n} jobs of each owner (in turn), then plans onto one lender of {@code slots}. */
    private static List<String> plan(Scheduler s, int slots, int n, String... owners) {
        for (int i = 0; i < n; i++) {
            for (String o : owners) {
                s.enqueue(new ActiveJob(o, "j" + i + ".py", "ab".repeat(32), List.of(),
                        List.of(), JobNeeds.NONE, i), false);
            }
        }
        LenderCapabilities caps = new LenderCapabilities("3.11.2", slots, 8192, slots, 60, 1024,
                600, 64, "test", false);
        s.addLender(new LenderHandle(new FakePeer("lender"), "lender", "lender-1", caps, slots));
        List<String> order = new ArrayList<>();
        s.plan(a -> {
            a.lender().running.put(a.job(), 1);
            order.add(a.job().owner);
        });
        return order;
    }

    private static long count(List<String> order, String owner) {
        return order.stream().filter(owner::equals).count();
    }

    @Test
    void aRunnerWhoLentGetsSlotsInProportionToItsWeight() {
        // bob lent 2 CPU hours: weight 1 + 1 * 2 = 3 against alice's 1
        List<String> order = plan(scheduler(1.0, Map.of("bob", 2 * HOUR)), 20, 40, "alice",
                "bob");
        assertEquals(List.of("alice", "bob", "bob", "bob", "alice", "bob", "bob", "bob"),
                order.subList(0, 8));
        assertEquals(5, count(order, "alice"));
        assertEquals(15, count(order, "bob"));
    }

    @Test
    void fractionalWeightsCarryOverToTheNextTurn() {
        // weight 1 + 0.25 * 2 = 1.5: three jobs for every two of alice's
        List<String> order = plan(scheduler(0.25, Map.of("bob", 2 * HOUR)), 10, 40, "alice",
                "bob");
        assertEquals(List.of("alice", "bob", "alice", "bob", "bob", "alice", "bob", "alice",
                "bob", "bob"), order);
    }

    @Test
    void creditBeyondTenHoursAddsNothingSoNobodyStarves() {
        // 1000 hours count as 10: weight 11, and alice still gets every twelfth slot
        List<String> order = plan(scheduler(1.0, Map.of("carol", 1000 * HOUR)), 24, 40,
                "alice", "carol");
        assertEquals(2, count(order, "alice"));
        assertEquals(22, count(order, "carol"));
    }

    @Test
    void weightZeroIsTodaysPlainRoundRobin() {
        Map<String, Long> credit = Map.of("bob", 9 * HOUR, "carol", 3 * HOUR);
        List<String> weighted = plan(scheduler(0, credit), 30, 20, "alice", "bob", "carol");
        List<String> plain = plan(new Scheduler(), 30, 20, "alice", "bob", "carol");
        assertEquals(plain, weighted);
        assertEquals(List.of("alice", "bob", "carol", "alice", "bob", "carol"),
                weighted.subList(0, 6));
    }

    @Test
    void anOwnerWhoseQueueEmptiesEndsItsTurnAndWeightsBelowOneCountAsOne() {
        Scheduler s = new Scheduler(owner -> owner.equals("bob") ? 3 : Double.NaN);
        List<String> order = plan(s, 8, 2, "alice", "bob");
        // bob has only two jobs: its turn ends with its queue
        assertEquals(List.of("alice", "bob", "bob", "alice"), order);
    }
}
