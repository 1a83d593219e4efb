package idle.client.runner;

import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionLostException;
import idle.client.net.ConnectionState;
import idle.client.net.Exchange;
import idle.client.net.ServerConnection;
import idle.shared.message.Message;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The jobs a runner follows, kept across reconnects: a job whose exchange dropped waits here and is
 * re-attached ({@code ATT} from its next unseen chunk) when the connection is back; when the
 * connection closes for good, every followed job ends with a {@link ConnectionLostException}.
 * It is the {@link FollowedJob.Follower} of each job, so jobs never call the service that made
 * them. Thread-safe; called on the caller's and the connection's threads.
 */
final class JobFollowing implements FollowedJob.Follower {
    private static final Logger LOG = Logger.getLogger(JobFollowing.class.getName());

    private final ServerConnection connection;
    private final Set<FollowedJob> following = ConcurrentHashMap.newKeySet();
    private final Set<FollowedJob> waiting = ConcurrentHashMap.newKeySet();

    JobFollowing(ServerConnection connection) {
        this.connection = Objects.requireNonNull(connection);
        connection.addListener(new ConnectionListener() {
            @Override
            public void reconnected(boolean sessionResumed) {
                reattachAll();
            }

            @Override
            public void stateChanged(ConnectionState state, String detail) {
                if (state == ConnectionState.CLOSED) {
                    for (FollowedJob j : List.copyOf(following)) {
                        j.connectionClosed("the connection is closed: " + detail);
                    }
                }
            }
        });
    }

    /** Follows a job whose exchange is already open (its submission). */
    void track(FollowedJob job) {
        following.add(job);
    }

    /** Follows a job through a new {@code ATT} exchange (or when the connection is back). */
    void attach(FollowedJob job) {
        following.add(job);
        openAttach(job);
    }

    @Override
    public void ended(FollowedJob job) {
        following.remove(job);
        waiting.remove(job);
    }

    @Override
    public void lost(FollowedJob job) {
        if (!job.isDone()) {
            waiting.add(job);
        }
    }

    @Override
    public void reattach(FollowedJob job) {
        openAttach(job);
    }

    @Override
    public CompletableFuture<Void> cancel(long jobId) {
        return connection.call(new Message.Cancel(jobId)).thenApply(r -> null);
    }

    private void reattachAll() {
        for (FollowedJob job : List.copyOf(waiting)) {
            waiting.remove(job);
            if (!job.isDone()) {
                openAttach(job);
            }
        }
    }

    private void openAttach(FollowedJob job) {
        try {
            Exchange ex = connection.open(new Message.Attach(job.jobId(), job.nextSeq(), true),
                    job.handler(true));
            job.attached(ex);
        } catch (ConnectionLostException e) {
            // Not connected now: re-attached when the connection is back.
            waiting.add(job);
            if (connection.state() == ConnectionState.CLOSED) {
                job.connectionClosed(e.getMessage());
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "attach failed", e);
            waiting.add(job);
        }
    }
}
