package idle.server;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.JobOutcome;
import idle.shared.model.LenderCapabilities;
import idle.shared.model.ResourceUse;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import idle.shared.protocol.Sha256;
import idle.shared.testing.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A raw lender peer for tests: logs in, offers itself with MML, and answers each EXF the way the
 * real lender does (SCF, OUT chunks acked one by one, files as TOF/DAT/EOF, FIN), without
 * python: the "script" is a list of instructions for this peer, one per line:
 * {@code out TEXT}, {@code err TEXT}, {@code file NAME TEXT}, {@code badfile NAME TEXT} (wrong
 * SHA-256), {@code wait} (until {@link #release} or a CAN), {@code stubborn} (from here on a
 * CAN is acknowledged but ignored, like a lender that cannot kill its process), {@code exit N},
 * {@code exitarg} (exit with the job's first argument as the status), {@code random} (a random
 * number on stdout: a script that is not deterministic).
 */
final class RawLender implements AutoCloseable {
    /**
     * One EXF received. {@code scriptSha256} is computed from the script bytes that arrived;
     * with {@link #keepScripts} off the kept {@code exf} has an empty script (tests that send
     * hundreds of large scripts keep only their hashes).
     */
    record Run(long jobId, int attempt, int exchange, Message.Execute exf, String scriptSha256) {
    }

    final RawClient c;
    final String pseudonym;
    final List<Run> runs = new CopyOnWriteArrayList<>();
    final List<Long> cancels = new CopyOnWriteArrayList<>();
    final List<Message> fileReplies = new CopyOnWriteArrayList<>();
    final List<Long> finished = new CopyOnWriteArrayList<>();
    private final Map<Long, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> cancelled = new ConcurrentHashMap<>();
    private final java.util.Set<Long> stubborn = ConcurrentHashMap.newKeySet();
    private volatile boolean stop;
    /**
     * Applied to each instruction before it runs: a lender that lies (say, every {@code out}
     * becomes {@code out 666}). The identity by default.
     */
    volatile java.util.function.UnaryOperator<String> tamper = java.util.function.UnaryOperator
            .identity();
    /** Whether {@link Run#exf()} keeps the script bytes. */
    private final boolean keepScripts;

    RawLender(IdleServer s, String user, String password, int slots) throws IOException {
        this(s, user, password, caps(slots));
    }

    RawLender(IdleServer s, String user, String password, LenderCapabilities caps)
            throws IOException {
        this(s, user, password, caps, true);
    }

    /** With {@code keepScripts} false, the runs keep only their scripts' hashes. */
    RawLender(IdleServer s, String user, String password, LenderCapabilities caps,
            boolean keepScripts) throws IOException {
        this.keepScripts = keepScripts;
        c = RawClient.connect(s);
        c.loginOk(user, password);
        Result.Text t = c.requestOk(new Message.MakeLender(caps), Result.Text.class);
        pseudonym = t.text();
        Thread.ofVirtual().start(this::dispatchLoop);
        Thread.ofVirtual().start(this::cancelLoop);
    }

    static LenderCapabilities caps(int slots) {
        return new LenderCapabilities("3.11.2", 4, 8192, slots, 60, 1024, 600, 64, "raw-test",
                false);
    }

    private void dispatchLoop() {
        while (!stop) {
            Frame f = c.await(x -> x.code() == Code.EXF, Duration.ofMillis(500));
            if (f == null) {
                continue;
            }
            Message.Execute exf = (Message.Execute) RawClient.decode(f);
            byte[] script = exf.script();
            Message.Execute kept = keepScripts ? exf : new Message.Execute(exf.jobId(),
                    exf.attempt(), exf.scriptName(), new byte[0], exf.scriptSha256(), exf.args(),
                    List.of(), exf.needs(), exf.task());
            Run r = new Run(exf.jobId(), exf.attempt(), f.requestId(), kept, Sha256.hex(script));
            runs.add(r);
            String text = firstLines(script);
            Thread.ofVirtual().start(() -> execute(r, text.replace("exitarg",
                    "exit " + (exf.args().isEmpty() ? "0" : exf.args().get(0)))));
        }
    }

    private void cancelLoop() {
        while (!stop) {
            Frame f = c.await(x -> x.code() == Code.CAN, Duration.ofMillis(500));
            if (f == null) {
                continue;
            }
            long jobId = ((Message.Cancel) RawClient.decode(f)).jobId();
            cancels.add(jobId);
            if (!stubborn.contains(jobId)) {
                cancelled.put(jobId, true);
                CountDownLatch g = gates.get(jobId);
                if (g != null) {
                    g.countDown();
                }
            }
            c.send(f.requestId(), new Message.Success(new Result.Empty()));
        }
    }

    /** Lets a job blocked on {@code wait} go on. */
    void release(long jobId) {
        gates.computeIfAbsent(jobId, k -> new CountDownLatch(1)).countDown();
    }

    /** The instructions of a script: its lines up to the first that starts with '#'. */
    private static String firstLines(byte[] script) {
        int end = 0;
        while (end < script.length && !(script[end] == '#' && (end == 0
                || script[end - 1] == '\n'))) {
            end++;
        }
        return new String(script, 0, end, StandardCharsets.UTF_8);
    }

    private void execute(Run r, String script) {
        int s = r.exchange();
        long job = r.jobId();
        c.send(s, new Message.Success(new Result.Empty()));
        long seq = 0;
        JobOutcome outcome = new JobOutcome.Succeeded();
        try {
            for (String instruction : script.split("\n")) {
                String line = tamper.apply(instruction);
                if (line.equals("random")) {
                    line = "out " + java.util.concurrent.ThreadLocalRandom.current().nextDouble();
                }
                String[] w = line.split(" ", 3);
                switch (w[0]) {
                    case "out", "err" -> {
                        String text = line.substring(4) + "\n";
                        long q = seq++;
                        c.send(s, new Message.Output(job, q, w[0].equals("out") ? StreamKind.STDOUT
                                : StreamKind.STDERR, text.getBytes(StandardCharsets.UTF_8)));
                        Frame ack = c.await(x -> x.requestId() == s && x.code() == Code.OK
                                && ((Message.Ack) RawClient.decode(x)).seq() == q,
                                RawClient.WAIT);
                        if (ack == null) {
                            return;
                        }
                    }
                    case "file", "badfile" -> sendFile(s, job, w[1], w.length > 2 ? w[2] : "",
                            w[0].equals("badfile"));
                    case "stubborn" -> stubborn.add(job);
                    case "wait" -> {
                        CountDownLatch g = gates.computeIfAbsent(job, k -> new CountDownLatch(1));
                        if (!cancelled.containsKey(job)) {
                            g.await(60, TimeUnit.SECONDS);
                        }
                        if (cancelled.containsKey(job)) {
                            outcome = new JobOutcome.Cancelled();
                        }
                    }
                    case "error" -> outcome = new JobOutcome.Error(line.substring(6));
                    case "exit" -> {
                        int code = Integer.parseInt(w[1]);
                        if (!(outcome instanceof JobOutcome.Cancelled)) {
                            outcome = code == 0 ? new JobOutcome.Succeeded()
                                    : new JobOutcome.Failed(code);
                        }
                    }
                    default -> { }
                }
                if (outcome instanceof JobOutcome.Cancelled) {
                    break;
                }
            }
            c.send(s, new Message.Finished(job, r.attempt(), outcome,
                    new ResourceUse(5, 7, 0, 0)));
            Frame done = c.await(x -> x.requestId() == s && x.code() == Code.SCF, RawClient.WAIT);
            if (done != null) {
                finished.add(job);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendFile(int s, long job, String name, String text, boolean corrupt) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        String sha = Sha256.hex(corrupt ? (text + "x").getBytes(StandardCharsets.UTF_8) : data);
        c.send(s, new Message.TakeOutputFile(job, name, data.length, sha));
        Message r = c.next(s);
        if (!(r instanceof Message.Success)) {
            fileReplies.add(r);
            return;
        }
        c.send(s, new Message.FileData(job, 0, data));
        c.awaitMessage(s, Message.Ack.class);
        c.send(s, new Message.EndOfFile(job, name, data.length, sha));
        fileReplies.add(c.next(s));
    }

    /** Waits until {@code n} runs were handed to this lender. */
    boolean awaitRuns(int n, Duration timeout) {
        return Poll.until(() -> runs.size() >= n, timeout);
    }

    @Override
    public void close() {
        stop = true;
        c.close();
    }
}
