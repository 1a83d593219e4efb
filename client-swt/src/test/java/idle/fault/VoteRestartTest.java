package idle.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.bench.RawPeer;
import idle.db.Database;
import idle.db.DatabaseConfig;
import idle.db.repository.LenderRecord;
import idle.db.entity.AuditEvent;
import idle.db.entity.Job;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.ComparePart;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.model.VoteState;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server SIGKILLed in the middle of a vote (issue 13): the server runs as a child process on
 * an on-disk Derby; lenders are raw-protocol doubles ({@link RawPeer}). One replica's result is
 * stored, the other replica is running when the server dies. After the restart the running one
 * is queued again and may not go to the account that already has a result; the vote completes
 * from what was stored, once: one VOTE audit row, the job VERIFIED with its majority's output.
 * The lender shares are written in the transaction of the job's end, so they are counted once
 * too: LENDER_RECORD has one agreed result for lenderA and one for lenderC, and nothing for
 * lenderB, whose attempt was lost to the server's crash, not by lenderB.
 */
class VoteRestartTest {
    static final Path BASE = Path.of("target", "fault").toAbsolutePath();
    static final String PASSWORD = "vote-restart-pw";
    static final Duration LONG = Duration.ofSeconds(90);
    final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    /** A lender double: answers every EXF with "ok" on stdout and exit 0, unless it holds. */
    static final class Lender {
        final RawPeer peer;
        final List<Long> jobs = new CopyOnWriteArrayList<>();
        /** Jobs whose FIN the server answered: their end is durable. */
        final List<Long> finished = new CopyOnWriteArrayList<>();
        private final java.util.Map<Integer, Long> fins = new java.util.concurrent
                .ConcurrentHashMap<>();

        Lender(ServerProcess s, String user, boolean hold) throws IOException {
            peer = RawPeer.login(s.host(), s.port(), null, user, PASSWORD);
            peer.handler((p, f, m) -> {
                Long fin = fins.get(f.requestId());
                if (fin != null && m instanceof Message.Success) {
                    finished.add(fin);
                    return;
                }
                if (m instanceof Message.Execute x) {
                    jobs.add(x.jobId());
                    try {
                        p.send(f.requestId(), new Message.Success(new Result.Empty()));
                        p.send(f.requestId(), new Message.Output(x.jobId(), 0, StreamKind.STDOUT,
                                "ok\n".getBytes(StandardCharsets.UTF_8)));
                        if (!hold) {
                            fins.put(f.requestId(), x.jobId());
                            p.send(f.requestId(), new Message.Finished(x.jobId(), x.attempt(),
                                    new JobOutcome.Succeeded(), new ResourceUse(3, 3, 3, 0)));
                        }
                    } catch (IOException e) {
                        // the server went away: the test sees it
                    }
                }
            });
            Message r = peer.request(new Message.MakeLender(new LenderCapabilities("3.11.2", 4,
                    8192, 1, 60, 1024, 600, 64, "vote double (no python)", false)), 30_000);
            assertInstanceOf(Message.Success.class, r, "MML: " + r);
        }
    }

    @Test
    @Timeout(240)
    void aVoteInterruptedByASigkillCompletesOnceAfterTheRestart() throws Exception {
        Path data = Files.createDirectories(BASE).resolve("vote-restart-" + System.nanoTime());
        Accounts.create(data, 1_000, PASSWORD, List.of("runner", "lenderA", "lenderB",
                "lenderC"));
        long jobId;
        String heldBy;
        try (ServerProcess server = ServerProcess.fromClasspath(data, "127.0.0.1", 0,
                List.of())) {
            Lender a = new Lender(server, "lenderA", false);
            closeables.add(a.peer);
            Lender b = new Lender(server, "lenderB", true);
            closeables.add(b.peer);
            RawPeer runner = RawPeer.login(server.host(), server.port(), null, "runner", PASSWORD);
            closeables.add(runner);
            byte[] script = "print('ok')\n".getBytes(StandardCharsets.UTF_8);
            Message r = runner.request(new Message.RunScript("vote.py", script,
                    Sha256.hex(script), List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE, 2,
                    ComparePart.ALL), 30_000);
            jobId = ((Result.JobAccepted) assertInstanceOf(Message.Success.class, r, "RCS: " + r)
                    .result()).jobId();
            assertTrue(Poll.until(() -> a.jobs.size() == 1 && b.jobs.size() == 1, LONG),
                    "both replicas started");
            heldBy = "lenderB";
            // A's result is durable once the server answered its FIN
            assertTrue(Poll.until(() -> a.finished.size() == 1, LONG),
                    "the first replica's result was stored");
            server.kill();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        closeables.clear();

        try (ServerProcess server = ServerProcess.fromClasspath(data, "127.0.0.1", 0,
                List.of())) {
            Lender a = new Lender(server, "lenderA", false);
            closeables.add(a.peer);
            RawPeer runner = RawPeer.login(server.host(), server.port(), null, "runner", PASSWORD);
            closeables.add(runner);
            CompletableFuture<JobSummary> end = new CompletableFuture<>();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int att = runner.nextId();
            runner.handler((p, f, m) -> {
                if (f.requestId() != att) {
                    return;
                }
                try {
                    if (m instanceof Message.Output o) {
                        synchronized (out) {
                            out.writeBytes(o.data());
                        }
                        p.send(att, new Message.Ack(o.seq()));
                    } else if (m instanceof Message.JobEvent e) {
                        p.send(att, new Message.Ack(0));
                        if (e.job().state().isTerminal()) {
                            end.complete(e.job());
                        }
                    }
                } catch (IOException ex) {
                    end.completeExceptionally(ex);
                }
            });
            runner.send(att, new Message.Attach(jobId, 0, true));
            // the held replica is queued again; lenderA may not take it (it has a result)
            Lender c = new Lender(server, "lenderC", false);
            closeables.add(c.peer);
            JobSummary s = end.get(LONG.toSeconds(), TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, s.state(), s.reason());
            assertEquals(VoteState.VERIFIED, s.verification().state());
            assertEquals("2/2 ✓", s.verification().label());
            synchronized (out) {
                assertEquals("ok\n", out.toString(StandardCharsets.UTF_8), "one copy of the output");
            }
            assertTrue(a.jobs.isEmpty(), "a replica went to the account that had a result: "
                    + a.jobs);
            assertEquals(1, c.jobs.size());
            assertFalse(heldBy.equals("lenderC"));
            server.stop();
        }
        for (AutoCloseable cl : closeables) {
            cl.close();
        }
        closeables.clear();

        try (Database db = Database.open(DatabaseConfig.embedded(data.resolve("db")))) {
            List<AuditEvent> votes = db.inTransaction(tx -> tx.audit().query(null, null, 10_000))
                    .stream().filter(e -> e.getCode().equals("VOTE")).toList();
            assertEquals(1, votes.size(), "one vote, counted once: " + votes);
            assertEquals(jobId, votes.get(0).getJobId());
            assertTrue(votes.get(0).getDetail().startsWith("2 of 2 agree"), votes.get(0)
                    .getDetail());
            assertEquals(null, votes.get(0).getUserName(), "no user next to lender pseudonyms");
            List<Job> replicas = db.inTransaction(tx -> tx.jobs().replicasOf(jobId));
            assertEquals(2, replicas.size(), "no replica was made twice");
            assertTrue(replicas.stream().allMatch(j -> j.getState() == JobState.SUCCEEDED));
            Job job = db.inTransaction(tx -> tx.jobs().find(jobId)).orElseThrow();
            assertEquals(JobState.SUCCEEDED, job.getState());
            LenderRecord a = record(db, "lenderA");
            LenderRecord b = record(db, "lenderB");
            LenderRecord c = record(db, "lenderC");
            assertEquals(1, a.agreed(), "lenderA's result counted once: " + a);
            assertEquals(1, c.agreed(), "lenderC's result counted once: " + c);
            assertEquals(0, a.disagreed() + c.disagreed(), a + " " + c);
            assertEquals(0, b.agreed() + b.disagreed(), "the crash is not lenderB's: " + b);
        }
    }

    private static LenderRecord record(Database db, String user) {
        return db.inTransaction(tx -> tx.lenders().find(user)).orElse(LenderRecord.empty(user));
    }
}
