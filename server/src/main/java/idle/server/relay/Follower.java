package idle.server.relay;

import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One runner's subscription to one job, under the runner's request id {@code n} (the RCS or ATT
 * that opened it). It sends, in order: the spooled output from {@code fromSeq}, then (when
 * following) each committed state change as {@code JST#n} and live output as {@code OUT#n}, and
 * finally the terminal {@code JST#n} after the job's last chunk. Without follow it stops after
 * what is spooled now, with the current {@code JST#n}. When following, each output file of the
 * current attempt is announced as {@code TOF#n{jobId, name, size, sha256}} (acknowledged
 * {@code OK#n{0}}) as soon as its upload from the lender begins, always before the terminal
 * {@code JST#n}, so the runner may fetch it ({@code GOF}) while it still arrives.
 *
 * <p>Flow control: at most {@link idle.shared.protocol.Limits#WINDOW_CHUNKS} frames unacknowledged;
 * each {@code OK#n} from the runner frees one. A slow runner only slows itself: the lender's
 * output is already safe in the spool. Runs on its own virtual thread.
 */
public final class Follower extends WindowedSubscription {
    private static final Logger LOG = Logger.getLogger(Follower.class.getName());

    private final Peer runner;
    private final int requestId;
    private final JobFeed feed;
    private final boolean follow;
    private final Runnable onEnd;
    private long cursor;
    private int announced;
    private int sentVersion;

    /**
     * @param sentVersion the feed version the runner already knows (no JST for it), or -1
     * @param onEnd called once when the subscription ends (may be null)
     */
    public Follower(Peer runner, int requestId, JobFeed feed, long fromSeq, boolean follow,
            int sentVersion, Runnable onEnd) {
        this.runner = runner;
        this.requestId = requestId;
        this.feed = feed;
        this.cursor = fromSeq;
        this.follow = follow;
        this.sentVersion = sentVersion;
        this.onEnd = onEnd;
    }

    /** Registers the exchange and starts sending on a virtual thread. */
    public void start() {
        runner.open(requestId, this);
        feed.add(this);
        Thread.ofVirtual().name("idle-follow-" + feed.jobId()).start(this);
    }


    @Override
    public void run() {
        try {
            int generation = feed.snapshot().generation();
            while (!closed) {
                JobFeed.Snapshot s = feed.snapshot();
                if (s.generation() != generation) {
                    generation = s.generation();
                    cursor = 0;
                    announced = 0;
                }
                boolean terminal = s.summary().state().isTerminal();
                if (follow && !terminal && s.version() != sentVersion) {
                    sendEvent(s);
                    continue;
                }
                if (follow && announced < s.uploads().size()) {
                    FileUpload u = s.uploads().get(announced++);
                    if (u.state() != FileUpload.State.FAILED) {
                        window.acquire();
                        runner.send(requestId, new Message.TakeOutputFile(feed.jobId(), u.name(),
                                u.info().size(), u.info().sha256()));
                    }
                    continue;
                }
                if (cursor < s.chunks()) {
                    byte[] payload;
                    try {
                        payload = s.spool().read((int) cursor);
                    } catch (IOException e) {
                        if (feed.snapshot().generation() != generation) {
                            continue; // a new attempt replaced the spool: restart from 0
                        }
                        throw e;
                    }
                    window.acquire();
                    if (!runner.send(new Frame(Code.OUT, requestId, payload))) {
                        return;
                    }
                    cursor++;
                    continue;
                }
                if (terminal || !follow) {
                    sendEvent(s);
                    return;
                }
                awaitSignal();
            }
        } catch (InterruptedException e) {
            // the connection closed
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "relay of job " + feed.jobId() + " to " + runner.user()
                    + " failed", e);
        } finally {
            feed.remove(this);
            runner.close(requestId);
            if (onEnd != null) {
                onEnd.run();
            }
        }
    }

    private void sendEvent(JobFeed.Snapshot s) throws InterruptedException {
        window.acquire();
        runner.send(requestId, new Message.JobEvent(s.summary()));
        sentVersion = s.version();
    }
}
