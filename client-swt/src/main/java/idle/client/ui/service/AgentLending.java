package idle.client.ui.service;

import idle.client.lender.JobLog;
import idle.client.lender.LenderAgent;
import idle.client.lender.PythonInterpreter;
import idle.client.lender.Sandbox;
import idle.client.lender.SandboxException;
import idle.client.lender.ServedJob;
import idle.client.net.ConnectException;
import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.shared.model.PythonEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * "Become IDLEr" on the client services: a {@link LenderAgent} with its {@link Sandbox}, on a
 * connection of its own to the session's server with the session's credentials (as {@code idle
 * lend} does). Blocking methods run on the workbench's workers; the agent's events go to the
 * {@link LenderListener} on the agent's threads. No SWT here.
 */
public final class AgentLending implements Lending {
    private final ServerAddress address;
    private final String user;
    private final char[] password;
    private final Path dataDir;
    private final ConnectionOptions base;
    private final Object lock = new Object();
    private ServerConnection connection;
    private LenderAgent agent;

    /**
     * @param dataDir the client data directory (the lender's job log and work directories live here)
     */
    public AgentLending(ServerAddress address, String user, char[] password, Path dataDir) {
        this(address, user, password, dataDir, ConnectionOptions.defaults());
    }

    /**
     * @param base the lender connection's options (trust store, TLS or plaintext); its client
     *     name is replaced by the workbench lender's
     */
    public AgentLending(ServerAddress address, String user, char[] password, Path dataDir,
            ConnectionOptions base) {
        this.base = Objects.requireNonNull(base);
        this.address = Objects.requireNonNull(address);
        this.user = Objects.requireNonNull(user);
        this.password = password.clone();
        this.dataDir = Objects.requireNonNull(dataDir);
    }

    private idle.client.lender.LenderSettings settingsFor(LenderSettings s) {
        idle.client.lender.LenderSettings d = idle.client.lender.LenderSettings.defaults(dataDir);
        return d.withMaxJobs(s.maxJobs())
                .withLimits(s.cpuSeconds(), s.memoryMb(), s.timeoutSeconds(), d.maxOutputMb())
                .withWhenIdle(s.onlyWhenIdle(), idle.client.lender.LenderSettings.IdlePolicy.defaults());
    }

    @Override
    public String sandboxDescription(LenderSettings settings) {
        try (Sandbox sandbox = Sandbox.create(settingsFor(settings), PythonInterpreter.locate(null))) {
            PythonEnvironment env = sandbox.probeInventory(0);
            return "• " + String.join("\n• ", sandbox.summary()) + "\n• python " + env.pythonVersion()
                    + " with the " + packages(env);
        } catch (SandboxException | IOException e) {
            return "This computer cannot lend safely: " + e.getMessage();
        }
    }

    /**
     * "3 packages installed here (numpy 1.24.2, PyYAML 6.0, six 1.16.0)" (jobs install
     * nothing): at most 4 named, so that the line stays one line and the served-jobs log below
     * it keeps its room (the rest are counted).
     */
    static String packages(PythonEnvironment env) {
        List<String> named = env.distributions().stream().limit(4)
                .map(d -> d.name() + (d.version().isEmpty() ? "" : " " + d.version())).toList();
        int n = env.distributions().size();
        return n + (n == 1 ? " package" : " packages") + " installed here"
                + (named.isEmpty() ? "" : " (" + String.join(", ", named)
                        + (n > named.size() ? ", …" : "") + ")");
    }

    @Override
    public void start(LenderSettings settings, LenderListener listener) throws ServiceException {
        synchronized (lock) {
            if (agent != null) {
                return;
            }
            Sandbox sandbox;
            try {
                sandbox = Sandbox.create(settingsFor(settings), PythonInterpreter.locate(null));
                sandbox.selfTest();
            } catch (SandboxException e) {
                throw new ServiceException(ServiceException.Kind.OTHER, e.getMessage());
            } catch (IOException e) {
                throw new ServiceException(ServiceException.Kind.LOCAL_IO, "Cannot prepare the sandbox: " + e.getMessage());
            }
            ServerConnection c;
            try {
                c = ServerConnection.connect(address, new Credentials(user, password),
                        base.withClientName("idle-workbench-lender/1.0"), null);
            } catch (ConnectException e) {
                throw new ServiceException(ServiceException.Kind.UNREACHABLE, "Cannot connect to lend: " + e.getMessage());
            }
            LenderAgent a = new LenderAgent(c, sandbox, new JobLog(dataDir), new Bridge(listener));
            try {
                a.start().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.close();
                throw new ServiceException(ServiceException.Kind.CANCELLED, "Cancelled.");
            } catch (ExecutionException | TimeoutException e) {
                c.close();
                throw ServicesSession.translate(e instanceof ExecutionException ? e.getCause() : e, "Start lending");
            }
            connection = c;
            agent = a;
        }
    }

    @Override
    public void stop() throws ServiceException {
        LenderAgent a;
        ServerConnection c;
        synchronized (lock) {
            a = agent;
            c = connection;
            agent = null;
            connection = null;
        }
        if (a == null) {
            return;
        }
        try {
            a.withdraw(true).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing the connection below ends the jobs anyway
        } finally {
            c.close();
        }
    }

    @Override
    public boolean isLending() {
        synchronized (lock) {
            return agent != null && agent.isLending();
        }
    }

    /** Forgets the password copy. */
    public void destroy() {
        Arrays.fill(password, '\0');
    }

    /** The agent's events in the workbench's terms. */
    private static final class Bridge implements idle.client.lender.LenderListener {
        private final LenderListener target;

        Bridge(LenderListener target) {
            this.target = target;
        }

        @Override
        public void started(String pseudonym) {
            target.started(pseudonym);
        }

        @Override
        public void log(String line) {
            target.log(line);
        }

        @Override
        public void jobStarted(long jobId, int attempt, String scriptName, String scriptSha256) {
            target.jobStarted(jobId, scriptName);
        }

        @Override
        public void jobFinished(ServedJob job) {
            target.jobFinished(job.jobId(), job.scriptName(), job.outcomeText(), job.use().cpuMillis());
        }

        @Override
        public void availabilityChanged(boolean available, String reason) {
            target.log(available ? "This computer is idle again: taking jobs (" + reason + ")"
                    : "You are using this computer: jobs paused (" + reason + ")");
        }

        @Override
        public void creditChanged(idle.shared.model.LenderCredit credit) {
            target.creditChanged(credit);
        }

        @Override
        public void stopped(Throwable error) {
            target.stopped(error == null ? null : ServicesSession.translate(error, "Lending"));
        }
    }
}
