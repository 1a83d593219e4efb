package idle.server;

import static idle.server.ServerProtocolTest.last;
import static idle.server.ServerProtocolTest.script;
import static idle.server.ServerProtocolTest.submit;
import static idle.server.ServerProtocolTest.untilTerminal;
import static idle.server.store.OutputRetentionTest.age;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import idle.shared.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server keeps an ended job's output for the retention period; afterwards the job is still in
 * the history, and a runner asking for its output or files is told that they were deleted and
 * when, instead of getting an empty output.
 */
@Timeout(60)
class OutputRetentionServerTest {
    @Test
    void anEndedJobsOldOutputIsDeletedAndTheRunnerIsToldWhy() throws Exception {
        Path dir = TestDirs.fresh("retention");
        try (IdleServer server = IdleServer.start(ServerConfig.defaults(dir).withPort(0)
                .withPbkdf2Iterations(1_000).withLogToFile(false)
                .withOutputRetention(Duration.ofDays(30)))) {
            server.accounts().addUser("alice", "pw-alice".toCharArray(), false);
            server.accounts().addUser("lender1", "pw-l1".toCharArray(), false);
            try (RawLender lender = new RawLender(server, "lender1", "pw-l1", 1);
                    RawClient runner = RawClient.connect(server)) {
                runner.loginOk("alice", "pw-alice");
                long[] j = submit(runner, script("out hello\nfile f.txt data\nexit 0"));
                assertEquals(JobState.SUCCEEDED, last(untilTerminal(runner, (int) j[0])).job()
                        .state());
                Path spool = dir.resolve("spool").resolve(Long.toString(j[1]));
                assertTrue(Files.exists(spool.resolve("files/f.txt")));

                assertEquals(0, server.coordinator().retention().sweep().outputDirs(),
                        "a fresh output stays");
                // JST goes out from the terminal commit; the job leaves the active set just after
                assertTrue(Poll.until(() -> !server.coordinator().isActive(j[1]),
                        Duration.ofSeconds(10)));
                age(spool, Instant.now().minus(Duration.ofDays(31)));
                assertEquals(1, server.coordinator().retention().sweep().outputDirs());
                assertFalse(Files.exists(spool.resolve("files/f.txt")));

                Message att = runner.request(new Message.Attach(j[1], 0, false));
                Message.Failure f = assertInstanceOf(Message.Failure.class, att, att.toString());
                assertEquals(FailureKind.NOT_FOUND, f.kind());
                assertTrue(f.reason().contains("was deleted on") && f.reason().contains("30 days"),
                        f.reason());
                Message gof = runner.request(new Message.GetOutputFile(j[1], "f.txt"));
                Message.Failure g = assertInstanceOf(Message.Failure.class, gof, gof.toString());
                assertTrue(g.reason().contains("was deleted on"), g.reason());
                Result.Detail d = runner.requestOk(new Message.JobQuery(j[1]),
                        Result.Detail.class);
                assertEquals(JobState.SUCCEEDED, d.job().summary().state(), "still in history");
            }
        }
    }
}
