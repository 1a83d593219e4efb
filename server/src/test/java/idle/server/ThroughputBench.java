package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobNeeds;
import idle.shared.model.JobOutcome;
import idle.shared.model.ResourceUse;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.FrameChannel;
import idle.shared.protocol.Handshake;
import idle.shared.protocol.Sha256;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coordinator throughput with simulated lenders that answer each EXF at once (SCF then FIN,
 * without python): a test double of the benchmark, not a lender. Every state change is durable
 * (group commit) before it is acknowledged. Run with {@code -Didle.bench=true
 * -Dtest=ThroughputBench}; sizes with {@code -Didle.bench.jobs=N}.
 */
@EnabledIfSystemProperty(named = "idle.bench", matches = "true")
class ThroughputBench {

    static FrameChannel open(IdleServer s, String user, String pw, Socket[] holder)
            throws Exception {
        Socket so = new Socket(s.host(), s.port());
        so.setTcpNoDelay(true);
        holder[0] = so;
        Handshake.writeHello(so.getOutputStream());
        Handshake.readHello(so.getInputStream());
        FrameChannel ch = new FrameChannel(so.getInputStream(),
                new BufferedOutputStream(so.getOutputStream(), 65536));
        ch.writeAndFlush(Codec.encode(1, new Message.Login("bench", null)));
        ch.read();
        ch.writeAndFlush(Codec.encode(1, new Message.UserId(user)));
        ch.read();
        ch.writeAndFlush(Codec.encode(1, new Message.Password(pw)));
        Message m = Codec.decode(ch.read());
        assertTrue(m instanceof Message.Success, m.toString());
        Thread.ofVirtual().start(() -> { // heartbeats, as every client sends them
            try {
                for (long t = 1; !so.isClosed(); t++) {
                    Thread.sleep(5000);
                    ch.writeAndFlush(Codec.encode(Integer.MAX_VALUE, new Message.Heartbeat(t)));
                }
            } catch (Exception e) {
                // closed
            }
        });
        return ch;
    }

    @Test
    void jobsPerSecond() throws Exception {
        int jobs = Integer.getInteger("idle.bench.jobs", 20_000);
        int lenders = Integer.getInteger("idle.bench.lenders", 32);
        int runners = Integer.getInteger("idle.bench.runners", 8);
        Path dir = TestDirs.fresh("bench");
        try (IdleServer server = IdleServer.start(ServerConfig.defaults(dir).withPort(0)
                .withLogToFile(false).withPbkdf2Iterations(1000).withInsecurePlaintext()
                // one account lends on every connection and one runs every job
                .withDispatch(DispatchLimits.defaults().withMaxLendersPerUser(lenders)
                        .withMaxQueuedPerUser(Math.max(1, jobs))))) {
            server.accounts().addUser("runner", "pw".toCharArray(), false);
            server.accounts().addUser("lender", "pw".toCharArray(), false);
            List<Socket> sockets = new ArrayList<>();
            for (int i = 0; i < lenders; i++) {
                Socket[] h = new Socket[1];
                FrameChannel ch = open(server, "lender", "pw", h);
                sockets.add(h[0]);
                ch.writeAndFlush(Codec.encode(2, new Message.MakeLender(RawLender.caps(64))));
                Codec.decode(ch.read());
                Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            Frame f = ch.read();
                            if (f.code() == Code.EXF) {
                                Message.Execute x = (Message.Execute) Codec.decode(f);
                                ch.write(Codec.encode(f.requestId(), new Message.Success(
                                        new Result.Empty())));
                                ch.writeAndFlush(Codec.encode(f.requestId(), new Message.Finished(
                                        x.jobId(), x.attempt(), new JobOutcome.Succeeded(),
                                        ResourceUse.NONE)));
                            }
                        }
                    } catch (Exception e) {
                        // closed
                    }
                });
            }
            byte[] script = "print('hi')\n".getBytes(StandardCharsets.UTF_8);
            String sha = Sha256.hex(script);
            Message.RunScript rs = new Message.RunScript("b.py", script, sha, List.of(), List.of(),
                    JobNeeds.NONE, WaitPolicy.QUEUE);
            CountDownLatch done = new CountDownLatch(jobs);
            AtomicLong accepted = new AtomicLong();
            List<FrameChannel> chans = new ArrayList<>();
            for (int r = 0; r < runners; r++) {
                Socket[] h = new Socket[1];
                chans.add(open(server, "runner", "pw", h));
                sockets.add(h[0]);
            }
            long t0 = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            for (int r = 0; r < runners; r++) {
                FrameChannel ch = chans.get(r);
                int mine = jobs / runners + (r < jobs % runners ? 1 : 0);
                Semaphore inFlight = new Semaphore(256);
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            Frame f = ch.read();
                            if (f.code() == Code.JST) {
                                Message.JobEvent e = (Message.JobEvent) Codec.decode(f);
                                ch.write(Codec.encode(f.requestId(), new Message.Ack(0)));
                                if (e.job().state().isTerminal()) {
                                    inFlight.release();
                                    done.countDown();
                                }
                            } else if (f.code() == Code.SCF) {
                                accepted.incrementAndGet();
                            }
                            ch.flush();
                        }
                    } catch (Exception e) {
                        // closed
                    }
                }));
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < mine; i++) {
                            inFlight.acquire();
                            ch.writeAndFlush(Codec.encode(i + 10, rs));
                        }
                    } catch (Exception e) {
                        // closed
                    }
                }));
            }
            boolean all = done.await(300, TimeUnit.SECONDS);
            long ns = System.nanoTime() - t0;
            long[] st = server.commitStats();
            System.out.printf("THROUGHPUT: %d jobs, %d lenders, %d runners: %.0f jobs/s "
                    + "(%.2f s); %d commits, %.1f changes per commit%n", done.getCount() == 0
                    ? jobs : jobs - done.getCount(), lenders, runners,
                    (jobs - done.getCount()) / (ns / 1e9), ns / 1e9, st[0],
                    st[1] / (double) Math.max(1, st[0]));
            assertTrue(all, "all jobs done");
            assertEquals(jobs, accepted.get());
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
