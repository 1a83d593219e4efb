package idle.client.ui.service;

import idle.client.net.ConnectException;
import idle.client.net.ConnectionListener;
import idle.client.net.ConnectionLostException;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.RequestException;
import idle.client.net.RequestTooLargeException;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.client.runner.SweepListener;
import idle.client.runner.SweepRequest;
import idle.client.runner.SweepService;
import idle.shared.model.SweepSummary;
import idle.shared.message.Result.JobAccepted;
import idle.shared.message.Result.JobPage;
import idle.shared.model.FailureKind;
import idle.shared.model.JobDetail;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.PoolStatus;
import idle.shared.model.StreamKind;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The workbench's {@link ClientSession} on the client services: one {@link ServerConnection}
 * (login, heartbeats, reconnects) and a {@link RunnerService} (submit, follow, history, files,
 * cancel, pool), plus lending through {@link #lending()}. It only adapts: the services' futures
 * become blocking calls for the workbench's workers, their exceptions become
 * {@link ServiceException}s with a sentence for a person. No SWT here.
 */
public final class ServicesSession implements ClientSession {
    /** How long a request may take before the workbench says the server does not answer. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String server;
    private final ServerConnection connection;
    private final RunnerService runner;
    private final Lending lending;
    private final SweepSession sweeps;
    private final List<Consumer<ConnectionState>> listeners = new CopyOnWriteArrayList<>();
    private volatile ConnectionState state = ConnectionState.CONNECTED;

    private ServicesSession(String server, ServerConnection connection, Lending lending) {
        this.server = server;
        this.connection = connection;
        this.runner = new RunnerService(connection);
        this.lending = lending;
        this.sweeps = new Sweeps();
    }

    /**
     * A {@link SessionOpener} that logs in through {@link ServerConnection#connectAsync}, with the
     * default options (a new server key is accepted and pinned).
     */
    public static SessionOpener opener(LendingFactory lendingFactory) {
        return opener(lendingFactory, ConnectionOptions.defaults());
    }

    /**
     * A {@link SessionOpener} with {@code base} as the connection options (trust
     * store, first-use question, TLS or {@code --insecure-plaintext}); the client name is the
     * workbench's.
     */
    public static SessionOpener opener(LendingFactory lendingFactory, ConnectionOptions base) {
        return (server, user, password) -> open(server, user, password, lendingFactory, base);
    }

    /** Makes the lending part of a session (the lender agent on the same server). */
    @FunctionalInterface
    public interface LendingFactory {
        Lending create(ServerAddress address, String user, char[] password);
    }

    /**
     * Connects and logs in. Blocks (interruptibly) on a worker thread.
     *
     * @throws ServiceException UNREACHABLE, BAD_CREDENTIALS, ACCOUNT_DISABLED, THROTTLED, OTHER
     *     (bad address or protocol), CANCELLED when interrupted
     */
    public static ServicesSession open(String server, String user, char[] password, LendingFactory lendingFactory,
            ConnectionOptions base) throws ServiceException {
        ServerAddress address;
        try {
            address = ServerAddress.parse(server);
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceException.Kind.OTHER, "Bad server address: " + e.getMessage());
        }
        Forwarder forwarder = new Forwarder();
        CompletableFuture<ServerConnection> connecting = ServerConnection.connectAsync(address,
                new Credentials(user, password), base.withClientName("idle-workbench/1.0"), forwarder);
        ServerConnection connection;
        try {
            connection = connecting.get();
        } catch (InterruptedException e) {
            connecting.cancel(false);
            Thread.currentThread().interrupt();
            throw new ServiceException(ServiceException.Kind.CANCELLED, "Login cancelled.");
        } catch (ExecutionException e) {
            throw loginFailure(address, e.getCause());
        }
        Lending lending = lendingFactory.create(address, user, password);
        ServicesSession session = new ServicesSession(address.toString(), connection, lending);
        forwarder.target = session;
        return session;
    }

    private static ServiceException loginFailure(ServerAddress address, Throwable cause) {
        if (cause instanceof ConnectException ce) {
            return switch (ce.reason()) {
                case UNREACHABLE -> new ServiceException(ServiceException.Kind.UNREACHABLE,
                        sentence(ce.getMessage(), "Cannot reach an IDLE server at " + address + ". Is it running?"));
                case BAD_CREDENTIALS -> new ServiceException(ServiceException.Kind.BAD_CREDENTIALS,
                        "Wrong user name or password.");
                case ACCOUNT_DISABLED -> new ServiceException(ServiceException.Kind.ACCOUNT_DISABLED,
                        "This account is disabled. Ask the server's administrator.");
                case THROTTLED -> new ServiceException(ServiceException.Kind.THROTTLED,
                        "Too many failed logins. Wait a minute, then try again.");
                case BUSY -> new ServiceException(ServiceException.Kind.THROTTLED,
                        "The server is busy. Try again in a moment.");
                case PROTOCOL -> new ServiceException(ServiceException.Kind.OTHER,
                        "The server at " + address + " does not speak IDLE's protocol (" + ce.getMessage() + ").");
                case UNTRUSTED -> new ServiceException(ServiceException.Kind.OTHER, ce.getMessage());
            };
        }
        return new ServiceException(ServiceException.Kind.UNREACHABLE,
                "Cannot connect to " + address + ": " + Objects.toString(cause.getMessage(), cause.toString()));
    }

    /** The services' message as a sentence (capital first letter, final full stop). */
    private static String sentence(String message, String otherwise) {
        if (message == null || message.isBlank()) {
            return otherwise;
        }
        String s = Character.toUpperCase(message.charAt(0)) + message.substring(1);
        return s.endsWith(".") || s.endsWith(")") || s.endsWith("?") ? s : s + ".";
    }

    /** Forwards connection states to the session once it exists (listeners are added before connecting). */
    private static final class Forwarder implements ConnectionListener {
        volatile ServicesSession target;

        @Override
        public void stateChanged(idle.client.net.ConnectionState s, String detail) {
            ServicesSession t = target;
            if (t != null) {
                t.connectionChanged(switch (s) {
                    case CONNECTING, CONNECTED -> ConnectionState.CONNECTED;
                    case RECONNECTING -> ConnectionState.RECONNECTING;
                    case CLOSED -> ConnectionState.DISCONNECTED;
                });
            }
        }
    }

    private void connectionChanged(ConnectionState s) {
        state = s;
        listeners.forEach(l -> l.accept(s));
    }

    @Override
    public String server() {
        return server;
    }

    @Override
    public String user() {
        return connection.user();
    }

    @Override
    public void onConnectionChange(Consumer<ConnectionState> listener) {
        listeners.add(listener);
        listener.accept(state);
    }

    @Override
    public JobAccepted submit(SubmitRequest request, JobListener listener) throws ServiceException {
        JobRequest job;
        try {
            job = JobRequest.fromFiles(request.script(), request.inputs(), request.args(), request.waitPolicy())
                    .withModuleNeeds(true, List.of())
                    .withVerify(request.verify(), request.compare());
        } catch (NoSuchFileException e) {
            throw new ServiceException(ServiceException.Kind.LOCAL_IO, "File not found: " + e.getMessage());
        } catch (IOException e) {
            throw new ServiceException(ServiceException.Kind.LOCAL_IO, "Cannot read " + request.script()
                    + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ServiceException(ServiceException.Kind.OTHER, e.getMessage());
        }
        Adapter adapter = new Adapter(listener);
        FollowedJob followed = await(runner.submit(job, adapter), "Submit " + request.scriptName());
        adapter.jobId = followed.jobId();
        JobSummary latest = followed.latest();
        if (latest == null) {
            // The acceptance's state is not kept by the runner service, and the server sends no
            // JST for a state the acceptance already told: ask once, so a job dispatched at
            // once shows "Running" rather than "Queued" until it ends.
            try {
                latest = await(runner.details(followed.jobId()), "Load job " + followed.jobId()).summary();
                adapter.stateChanged(latest);
            } catch (ServiceException e) {
                latest = null; // the events will tell
            }
        }
        return new JobAccepted(followed.jobId(), latest != null ? latest.state() : JobState.QUEUED,
                latest != null ? latest.reason() : "");
    }

    @Override
    public Following follow(long jobId, JobListener listener) throws ServiceException {
        Adapter adapter = new Adapter(listener);
        adapter.jobId = jobId;
        FollowedJob followed = runner.attach(jobId, 0, true, adapter);
        return followed::stop;
    }

    @Override
    public JobPage history(JobState filter, String nameContains, long beforeJobId, int limit)
            throws ServiceException {
        return await(runner.history(filter, nameContains, beforeJobId, limit), "Load the history");
    }

    @Override
    public JobDetail detail(long jobId) throws ServiceException {
        return await(runner.details(jobId), "Load job " + jobId);
    }

    @Override
    public void cancel(long jobId) throws ServiceException {
        await(runner.cancel(jobId), "Cancel job " + jobId);
    }

    @Override
    public void saveOutputFile(long jobId, String name, Path target) throws ServiceException {
        await(runner.fetchFile(jobId, name, target), "Save " + name);
    }

    @Override
    public void saveOutput(long jobId, Path target) throws ServiceException {
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(part))) {
            FollowedJob replay = runner.attach(jobId, 0, false, new idle.client.runner.JobListener() {
                @Override
                public void output(long id, StreamKind stream, byte[] data) {
                    try {
                        out.write(data);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            await(replay.completion(), "Save the output of job " + jobId);
        } catch (IOException | UncheckedIOException e) {
            throw new ServiceException(ServiceException.Kind.LOCAL_IO, "Cannot write " + target + ": " + e.getMessage());
        }
        try {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ServiceException(ServiceException.Kind.LOCAL_IO, "Cannot write " + target + ": " + e.getMessage());
        }
    }

    @Override
    public PoolStatus pool() throws ServiceException {
        return await(runner.pool(), "Ask for the pool status");
    }

    @Override
    public Lending lending() {
        return lending;
    }

    @Override
    public SweepSession sweeps() {
        return sweeps;
    }

    /** {@link SweepSession} on the session's {@link SweepService}. */
    private final class Sweeps implements SweepSession {
        private final SweepService service = new SweepService(connection);

        @Override
        public SweepSummary submit(SweepRequest request, SweepListener listener)
                throws ServiceException {
            var sweep = await(service.submit(request, listener), "Submit the sweep of "
                    + request.scriptName());
            int held = await(sweep.uploaded(), "Send the tasks of sweep " + sweep.sweepId());
            SweepSummary s = sweep.summary();
            return new SweepSummary(s.sweepId(), s.scriptName(), s.taskCount(), held, s.queued(),
                    s.running(), s.succeeded(), s.failed(), s.cancelled(), s.submittedAt(),
                    s.finishedAt(), s.retryOf(), false);
        }

        @Override
        public SweepSummary follow(long sweepId, SweepListener listener) throws ServiceException {
            return await(service.attach(sweepId, true, listener), "Follow sweep " + sweepId)
                    .summary();
        }

        @Override
        public List<SweepSummary> sweeps(int limit) throws ServiceException {
            return await(service.sweeps(0, limit), "Load the sweeps").sweeps();
        }

        @Override
        public List<JobSummary> tasks(long sweepId) throws ServiceException {
            return await(service.allTasks(sweepId), "Load the tasks of sweep " + sweepId);
        }

        @Override
        public String cancel(long sweepId) throws ServiceException {
            return await(service.cancel(sweepId), "Cancel sweep " + sweepId);
        }
    }

    @Override
    public void close() {
        try {
            lending.stop();
        } catch (ServiceException | RuntimeException e) {
            // closing anyway
        }
        if (lending instanceof AgentLending agent) {
            agent.destroy(); // its copy of the password is no longer needed
        }
        connection.close();
    }

    private static <T> T await(CompletableFuture<T> future, String action) throws ServiceException {
        try {
            return future.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new ServiceException(ServiceException.Kind.CANCELLED, action + ": cancelled.");
        } catch (TimeoutException e) {
            throw new ServiceException(ServiceException.Kind.UNREACHABLE, action + ": the server did not answer in "
                    + REQUEST_TIMEOUT.toSeconds() + " s.");
        } catch (ExecutionException e) {
            throw translate(e.getCause(), action);
        }
    }

    /** One sentence for a failure of the services. */
    static ServiceException translate(Throwable cause, String action) {
        if (cause instanceof ServiceException se) {
            return se;
        }
        if (cause instanceof RequestException re) {
            return switch (re.type()) {
                case NO_LENDERS -> new ServiceException(ServiceException.Kind.NO_LENDERS, re.reason());
                case ILLEGAL -> new ServiceException(ServiceException.Kind.OTHER, re.reason());
                case FAILED -> new ServiceException(kindOf(re.kind()), re.reason());
            };
        }
        if (cause instanceof RequestTooLargeException tooLarge) {
            // Nothing was sent; its message names the limit and what to do.
            return new ServiceException(ServiceException.Kind.LIMIT, tooLarge.getMessage());
        }
        if (cause instanceof ConnectionLostException) {
            return new ServiceException(ServiceException.Kind.UNREACHABLE,
                    "The connection to the server is down; IDLE is reconnecting. Try again in a moment.");
        }
        if (cause instanceof CancellationException) {
            return new ServiceException(ServiceException.Kind.CANCELLED, action + ": cancelled.");
        }
        if (cause instanceof IOException io) {
            return new ServiceException(ServiceException.Kind.LOCAL_IO, Objects.toString(io.getMessage(), io.toString()));
        }
        return new ServiceException(ServiceException.Kind.OTHER,
                Objects.toString(cause.getMessage(), cause.getClass().getSimpleName()));
    }

    private static ServiceException.Kind kindOf(FailureKind kind) {
        if (kind == null) {
            return ServiceException.Kind.OTHER;
        }
        return switch (kind) {
            case LIMIT -> ServiceException.Kind.LIMIT;
            case NOT_FOUND -> ServiceException.Kind.NOT_FOUND;
            case WRONG_STATE -> ServiceException.Kind.WRONG_STATE;
            case BAD_CREDENTIALS -> ServiceException.Kind.BAD_CREDENTIALS;
            case ACCOUNT_DISABLED -> ServiceException.Kind.ACCOUNT_DISABLED;
            case THROTTLED, BUSY -> ServiceException.Kind.THROTTLED;
            default -> ServiceException.Kind.OTHER;
        };
    }

    /** The services' job listener in terms of the workbench's. */
    private static final class Adapter implements idle.client.runner.JobListener {
        private final JobListener target;
        /** Learnt from the first call (a submission's id is not known before it is accepted). */
        volatile long jobId;

        Adapter(JobListener target) {
            this.target = target;
        }

        @Override
        public void output(long id, StreamKind stream, byte[] data) {
            jobId = id;
            target.output(id, stream, data);
        }

        @Override
        public void stateChanged(JobSummary job) {
            jobId = job.jobId();
            target.state(job);
        }

        @Override
        public void restarted(JobSummary job) {
            jobId = job.jobId();
            target.restarted(job.jobId(), job.attempts());
            target.state(job);
        }

        @Override
        public void failed(Throwable cause) {
            long id = jobId;
            if (id != 0) {
                target.failed(id, translate(cause, "Follow job " + id));
            }
        }
    }
}
