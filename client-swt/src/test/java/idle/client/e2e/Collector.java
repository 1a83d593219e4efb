package idle.client.e2e;

import idle.client.runner.JobListener;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Records everything a followed job delivers. */
class Collector implements JobListener {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final List<JobSummary> states = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger restarted = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();
    final AtomicInteger resumed = new AtomicInteger();
    /** Files announced while the job ran, each with the number of finished() calls before it. */
    final List<idle.shared.model.OutputFileInfo> announced = new CopyOnWriteArrayList<>();
    final AtomicInteger announcedAfterFinish = new AtomicInteger();

    @Override
    public void fileAnnounced(long jobId, idle.shared.model.OutputFileInfo file) {
        if (finished.get() > 0) {
            announcedAfterFinish.incrementAndGet();
        }
        announced.add(file);
    }

    @Override
    public synchronized void output(long jobId, StreamKind stream, byte[] data) {
        (stream == StreamKind.STDOUT ? out : err).writeBytes(data);
        events.add(stream + ":" + new String(data, StandardCharsets.UTF_8));
        notifyAll();
    }

    @Override
    public void stateChanged(JobSummary job) {
        states.add(job);
    }

    @Override
    public void restarted(JobSummary job) {
        restarted.incrementAndGet();
        synchronized (this) {
            out.reset();
            err.reset();
        }
    }

    @Override
    public void interrupted(String why) {
        interrupted.incrementAndGet();
    }

    @Override
    public void resumed() {
        resumed.incrementAndGet();
    }

    @Override
    public void finished(JobSummary job) {
        finished.incrementAndGet();
        states.add(job);
    }

    synchronized String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    synchronized String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Waits (with a deadline) until stdout contains {@code text}. */
    synchronized boolean awaitStdout(String text, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!stdout().contains(text)) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
