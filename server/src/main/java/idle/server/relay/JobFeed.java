package idle.server.relay;

import idle.shared.model.JobSummary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What followers of one job see: the last committed {@link JobSummary} (published only after the
 * change is durable), and the output spool of the current attempt. A new attempt starts a new
 * spool generation: followers then restart at chunk 0, as the protocol says. It also lists the
 * output files of the current attempt whose upload has begun ({@link FileUpload}), so followers
 * can announce them ({@code TOF#n}) and runners can fetch them while they arrive.
 *
 * <p>Thread-safe. Followers wait on their own signal; every change wakes all of them.
 */
public final class JobFeed {
    /** An immutable view for a follower's next step. */
    public record Snapshot(int version, JobSummary summary, int generation, OutputSpool spool,
            int chunks, List<FileUpload> uploads) {
    }

    private final long jobId;
    private final CopyOnWriteArrayList<Follower> followers = new CopyOnWriteArrayList<>();
    private JobSummary summary;
    private int version;
    private int generation;
    private OutputSpool spool;
    /** Uploads of the current attempt, in the order they began; replaced, never mutated. */
    private List<FileUpload> uploads = List.of();

    public JobFeed(long jobId, JobSummary summary, OutputSpool spool) {
        this.jobId = jobId;
        this.summary = summary;
        this.spool = spool;
    }

    public long jobId() {
        return jobId;
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(version, summary, generation, spool, spool == null ? 0 : spool.count(),
                uploads);
    }

    public synchronized JobSummary summary() {
        return summary;
    }

    public synchronized OutputSpool spool() {
        return spool;
    }

    /** A committed state change. */
    public void publish(JobSummary s) {
        synchronized (this) {
            summary = s;
            version++;
        }
        wakeAll();
    }

    /**
     * A new attempt begins with an empty spool; the old one is discarded. Uploads of the earlier
     * attempt that are still arriving fail (their followers must not finish them).
     */
    public void newAttempt(OutputSpool fresh) throws IOException {
        OutputSpool old;
        List<FileUpload> oldUploads;
        synchronized (this) {
            old = spool;
            spool = fresh;
            generation++;
            oldUploads = uploads;
            uploads = List.of();
        }
        for (FileUpload u : oldUploads) {
            u.failed("the job was restarted on another lender");
        }
        if (old != null && old != fresh) {
            old.discard();
        }
        wakeAll();
    }

    /**
     * An output file of the current attempt began to arrive. The list only grows within an
     * attempt (followers announce by position); a later upload of the same name wins.
     */
    public void uploadStarted(FileUpload u) {
        synchronized (this) {
            List<FileUpload> next = new ArrayList<>(uploads);
            next.add(u);
            uploads = List.copyOf(next);
        }
        wakeAll();
    }

    /** The latest upload of {@code name} in the current attempt (arriving, complete or failed). */
    public synchronized Optional<FileUpload> upload(String name) {
        for (int i = uploads.size() - 1; i >= 0; i--) {
            if (uploads.get(i).name().equals(name)) {
                return Optional.of(uploads.get(i));
            }
        }
        return Optional.empty();
    }

    /** Output was appended to the current spool. */
    public void outputAppended() {
        wakeAll();
    }

    public void add(Follower f) {
        followers.add(f);
    }

    /** A follower ended; the last one out of a finished job closes its spool. */
    public void remove(Follower f) {
        followers.remove(f);
        OutputSpool s;
        synchronized (this) {
            s = followers.isEmpty() && summary.state().isTerminal() ? spool : null;
        }
        if (s != null) {
            try {
                s.close(); // later readers reopen it read-only
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    public boolean hasFollowers() {
        return !followers.isEmpty();
    }

    private void wakeAll() {
        for (Follower f : followers) {
            f.wake();
        }
    }
}
