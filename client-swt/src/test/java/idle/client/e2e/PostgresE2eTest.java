package idle.client.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.net.ConnectionOptions;
import idle.client.net.Credentials;
import idle.client.net.ServerAddress;
import idle.client.net.ServerConnection;
import idle.client.runner.FollowedJob;
import idle.client.runner.JobRequest;
import idle.client.runner.RunnerService;
import idle.client.testing.SandboxRequirement;
import idle.db.DatabaseConfig;
import idle.db.repository.VerifyResult;
import idle.db.testing.PostgresExtension;
import idle.fault.ServerProcess;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on a real PostgreSQL: a server in this JVM on the database, a real lender running
 * python3 in the sandbox and a runner; then the same database under a server started as a child
 * process with {@code --db-url}, {@code --db-user} and {@code --db-password-file}, which still
 * knows the job and serves its output.
 */
@Timeout(180)
class PostgresE2eTest {
    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    Path dir;

    @Test
    void aJobRunsIsStoredInPostgresAndOutlivesARestartOnTheCommandLine() throws Exception {
        SandboxRequirement.requireBubblewrap();
        DatabaseConfig db = PG.database();
        long jobId;
        try (Fixture fx = new Fixture(dir, db)) {
            fx.lender("lender1", 1);
            RunnerService alice = fx.runner("alice");
            Collector out = new Collector();
            FollowedJob job = alice.submit(JobRequest.of("answer.py", "print(6 * 7)\n"), out)
                    .get(30, TimeUnit.SECONDS);
            JobSummary end = job.completion().get(60, TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, end.state(), end.toString());
            assertEquals("42\n", out.stdout());
            jobId = job.jobId();
            VerifyResult audit = fx.server.database().inTransaction(tx -> tx.audit().verify());
            assertTrue(audit.ok() && audit.rowsChecked() > 3, audit.toString());
        }
        // the row is in PostgreSQL, as the server left it
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                PreparedStatement ps = c.prepareStatement("SELECT job_state, owner_name,"
                        + " script_name, exit_code, script FROM job WHERE id = ?")) {
            ps.setLong(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "job " + jobId + " is in PostgreSQL");
                assertEquals("SUCCEEDED", rs.getString(1));
                assertEquals("alice", rs.getString(2));
                assertEquals("answer.py", rs.getString(3));
                assertEquals(0, rs.getInt(4));
                assertEquals("print(6 * 7)\n", new String(rs.getBytes(5), StandardCharsets.UTF_8));
            }
        }

        Path pw = dir.resolve("db.pass");
        Files.writeString(pw, db.password() + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        try (ServerProcess server = ServerProcess.fromClasspath(dir.resolve("server"), "127.0.0.1", 0,
                List.of(), List.of("--db-url", db.jdbcUrl(), "--db-user", db.user(),
                        "--db-password-file", pw.toString()))) {
            ServerConnection c = ServerConnection.connect(ServerAddress.parse(server.address()),
                    new Credentials("alice", Fixture.PASSWORD.toCharArray()),
                    ConnectionOptions.defaults().withInsecurePlaintext(true)
                            .withMaxBackoff(Duration.ofMillis(500)), null);
            try {
                RunnerService alice = new RunnerService(c);
                List<JobSummary> history = alice.history(null, null, 0, 10).get(30, TimeUnit.SECONDS).jobs();
                assertEquals(1, history.size(), history.toString());
                assertEquals(jobId, history.get(0).jobId());
                assertEquals(JobState.SUCCEEDED, history.get(0).state());
                Path saved = dir.resolve("saved.txt");
                alice.saveOutput(jobId, saved).get(30, TimeUnit.SECONDS);
                assertEquals("42\n", Files.readString(saved));
            } finally {
                c.close();
            }
            server.stop();
            String stderr = Files.readString(dir.resolve("server.stderr"));
            assertFalse(stderr.contains(db.password()), "the password is never printed");
            assertFalse(String.join("\n", server.output()).contains(db.password()));
        }
    }
}
