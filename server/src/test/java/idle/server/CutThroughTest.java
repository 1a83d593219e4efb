package idle.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.JobState;
import idle.shared.model.ResourceUse;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Limits;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Cut-through file relay through the real server and real sockets: a runner hears an output file
 * announced ({@code TOF#n} on its subscription) as soon as its upload begins, and a {@code GOF}
 * for it is served while the lender is still sending: exactly the lender's bytes, with
 * {@code EOF} only after the upload completed and was verified; an upload that fails (lender
 * gone, checksum mismatch) makes the runner's transfer fail instead of end. The lender is a raw
 * protocol peer driven step by step, so the test controls what has arrived when.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CutThroughTest {
    static final Duration WAIT = RawClient.WAIT;
    IdleServer server;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path dir = TestDirs.fresh("cut-through");
        server = IdleServer.start(ServerConfig.defaults(dir).withPort(0)
                .withMaxOutputBytes(64 << 20).withLogToFile(true));
        server.accounts().addUser("runner", "pw-r".toCharArray(), false);
        server.accounts().addUser("lender", "pw-l".toCharArray(), false);
    }

    @AfterEach
    void closeOpen() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        assertTrue(Poll.until(() -> server.coordinator().pool().lendersOnline() == 0, WAIT));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A runner whose job runs on a raw lender that has accepted its EXF. */
    private final class Setup {
        final RawClient runner;
        final RawClient lender;
        final int sub;
        final long jobId;
        final int s;
        final int attempt;

        Setup() throws Exception {
            lender = RawClient.connect(server);
            open.add(lender);
            lender.loginOk("lender", "pw-l");
            lender.requestOk(new Message.MakeLender(RawLender.caps(1)), Result.Text.class);
            runner = RawClient.connect(server);
            open.add(runner);
            runner.loginOk("runner", "pw-r");
            byte[] script = "# cut-through\n".getBytes(StandardCharsets.UTF_8);
            sub = runner.nextId();
            runner.send(sub, new Message.RunScript("ct.py", script, Sha256.hex(script),
                    List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE));
            Message accepted = runner.next(sub);
            jobId = ((Result.JobAccepted) assertInstanceOf(Message.Success.class, accepted)
                    .result()).jobId();
            long job = jobId;
            Frame exf = lender.await(f -> f.code() == Code.EXF
                    && ((Message.Execute) RawClient.decode(f)).jobId() == job, WAIT);
            assertTrue(exf != null, "the job reached the lender");
            s = exf.requestId();
            attempt = ((Message.Execute) RawClient.decode(exf)).attempt();
            lender.send(s, new Message.Success(new Result.Empty()));
        }

        /** TOF from the lender, accepted by the server. */
        void announce(String name, long size, String sha) {
            lender.send(s, new Message.TakeOutputFile(jobId, name, size, sha));
            Message r = lender.next(s);
            assertInstanceOf(Message.Success.class, r, "TOF accepted: " + r);
        }

        void chunk(long seq, byte[] data, int from, int to) {
            lender.send(s, new Message.FileData(jobId, seq, Arrays.copyOfRange(data, from, to)));
            assertEquals(seq, lender.expect(s, Message.Ack.class).seq());
        }

        /** The runner's subscription announces the file; returns the announcement. */
        Message.TakeOutputFile announcement() {
            Message.TakeOutputFile t = runner.awaitMessage(sub, Message.TakeOutputFile.class);
            runner.send(sub, new Message.Ack(0));
            return t;
        }

        /** Cancels the job, so no re-queued attempt outlives the test. */
        void cancel() {
            Message m = runner.request(new Message.Cancel(jobId));
            assertInstanceOf(Message.Success.class, m, "cancelled: " + m);
        }

        int fetch(String name) {
            int g = runner.nextId();
            runner.send(g, new Message.GetOutputFile(jobId, name));
            return g;
        }
    }

    /** Reads DAT#g chunks (acking each) until {@code bytes} arrived; returns them. */
    private static byte[] receive(RawClient c, int g, int bytes) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < bytes) {
            Message.FileData d = c.expect(g, Message.FileData.class);
            got.writeBytes(d.data());
            c.send(g, new Message.Ack(d.seq()));
        }
        return got.toByteArray();
    }

    @Test
    void aFileIsServedWhileItArrivesAndEndsOnlyWhenTheUploadIsVerified() throws Exception {
        Setup t = new Setup();
        byte[] data = new byte[3 * Limits.CHUNK_BYTES + 1234];
        new Random(11).nextBytes(data);
        String sha = Sha256.hex(data);
        t.announce("big.bin", data.length, sha);
        Message.TakeOutputFile announced = t.announcement();
        assertEquals("big.bin", announced.name());
        assertEquals(data.length, announced.size());
        assertEquals(sha, announced.sha256());

        t.chunk(0, data, 0, Limits.CHUNK_BYTES);
        int g = t.fetch("big.bin");
        Message.TakeOutputFile tof = t.runner.expect(g, Message.TakeOutputFile.class);
        assertEquals(data.length, tof.size());
        assertEquals(sha, tof.sha256());
        // what has arrived is served at once, and nothing more
        byte[] first = receive(t.runner, g, Limits.CHUNK_BYTES);
        assertArrayEquals(Arrays.copyOf(data, Limits.CHUNK_BYTES), first);
        assertNull(t.runner.await(f -> f.requestId() == g, Duration.ofMillis(300)),
                "nothing beyond the bytes that arrived");

        t.chunk(1, data, Limits.CHUNK_BYTES, 2 * Limits.CHUNK_BYTES);
        t.chunk(2, data, 2 * Limits.CHUNK_BYTES, data.length);
        byte[] rest = receive(t.runner, g, data.length - Limits.CHUNK_BYTES);
        assertArrayEquals(Arrays.copyOfRange(data, Limits.CHUNK_BYTES, data.length), rest);
        // all bytes are in, but the upload is not verified yet: no EOF
        assertNull(t.runner.await(f -> f.requestId() == g, Duration.ofMillis(300)),
                "no EOF before the lender's EOF was checked");

        t.lender.send(t.s, new Message.EndOfFile(t.jobId, "big.bin", data.length, sha));
        assertInstanceOf(Message.Success.class, t.lender.next(t.s));
        Message.EndOfFile eof = t.runner.expect(g, Message.EndOfFile.class);
        assertEquals(sha, eof.sha256());
        t.runner.send(g, new Message.Success(new Result.Empty()));

        t.lender.send(t.s, new Message.Finished(t.jobId, t.attempt, new JobOutcome.Succeeded(),
                new ResourceUse(1, 1, 0, 0)));
        assertInstanceOf(Message.Success.class, t.lender.next(t.s));
        Message.JobEvent end = null;
        while (end == null || !end.job().state().isTerminal()) {
            end = t.runner.awaitMessage(t.sub, Message.JobEvent.class);
        }
        assertEquals(JobState.SUCCEEDED, end.job().state());
        // the stored file is the same after the job ended
        int g2 = t.fetch("big.bin");
        t.runner.expect(g2, Message.TakeOutputFile.class);
        assertArrayEquals(data, receive(t.runner, g2, data.length));
        t.runner.expect(g2, Message.EndOfFile.class);
        t.runner.send(g2, new Message.Success(new Result.Empty()));
    }

    @Test
    void aLenderThatDisappearsMidUploadMakesTheRunnersTransferFail() throws Exception {
        Setup t = new Setup();
        byte[] data = new byte[2 * Limits.CHUNK_BYTES];
        new Random(12).nextBytes(data);
        t.announce("part.bin", data.length, Sha256.hex(data));
        t.announcement();
        t.chunk(0, data, 0, Limits.CHUNK_BYTES);
        int g = t.fetch("part.bin");
        t.runner.expect(g, Message.TakeOutputFile.class);
        receive(t.runner, g, Limits.CHUNK_BYTES);

        t.lender.close(); // gone in the middle of the file
        Message m = t.runner.next(g);
        Message.Failure f = assertInstanceOf(Message.Failure.class, m,
                "the transfer fails instead of ending: " + m);
        assertEquals(FailureKind.NOT_FOUND, f.kind());
        assertTrue(f.reason().contains("part.bin"), f.reason());
        t.cancel();
    }

    @Test
    void anUploadThatFailsItsChecksumIsNeverReportedComplete() throws Exception {
        Setup t = new Setup();
        byte[] data = new byte[Limits.CHUNK_BYTES + 10];
        new Random(13).nextBytes(data);
        String claimed = Sha256.hex("something else".getBytes(StandardCharsets.UTF_8));
        t.announce("bad.bin", data.length, claimed);
        t.announcement();
        int g = t.fetch("bad.bin");
        t.runner.expect(g, Message.TakeOutputFile.class);
        t.chunk(0, data, 0, Limits.CHUNK_BYTES);
        t.chunk(1, data, Limits.CHUNK_BYTES, data.length);
        receive(t.runner, g, data.length);
        t.lender.send(t.s, new Message.EndOfFile(t.jobId, "bad.bin", data.length, claimed));
        assertEquals(FailureKind.CHECKSUM,
                assertInstanceOf(Message.Failure.class, t.lender.next(t.s)).kind());
        Message m = t.runner.next(g);
        assertInstanceOf(Message.Failure.class, m, "no EOF for a file that failed: " + m);
        // and it is not offered afterwards
        Message again = t.runner.request(new Message.GetOutputFile(t.jobId, "bad.bin"));
        assertEquals(FailureKind.NOT_FOUND,
                assertInstanceOf(Message.Failure.class, again).kind());
        t.cancel();
    }
}
