package idle.server.admin;

import idle.db.Database;
import idle.db.entity.AuditEvent;
import idle.db.entity.Job;
import idle.db.entity.UserAccount;
import idle.db.repository.VerifyResult;
import idle.server.VerifyPolicy;
import idle.server.auth.Accounts;
import idle.server.dispatch.VerifyDefaults;
import idle.server.reputation.Reputation;
import idle.server.net.ServerContext.AdminFailure;
import idle.shared.model.FailureKind;
import idle.shared.model.JobState;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The admin commands, shared by {@code idle admin --data DIR ...} (run locally on a stopped
 * server's data directory) and {@code ADM} requests of admin accounts (run by the live server).
 * Words: {@code user add NAME [--admin] --password PW}, {@code user list},
 * {@code user disable|enable NAME}, {@code user passwd NAME --password PW},
 * {@code user set-verify NAME N} (the replicas of the user's jobs by default; 0: the server's),
 * {@code lenders [suspend|resume NAME]},
 * {@code jobs [--state S] [--user U] [--name TEXT] [--before ID] [--limit N]},
 * {@code audit [--since TIME] [--user NAME] [--csv] [--verify] [--limit N]}.
 * Each returns text for a person; failures throw {@link AdminFailure}. Everything shown that
 * came from the database (names, file names, audit details, a lender's description of itself)
 * goes through {@link TerminalText} first: clients chose much of it.
 */
public final class AdminCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Database db;
    private final Accounts accounts;
    /** Lines describing online lenders; null when no server is running. */
    private final Supplier<List<String>> lenders;
    private final LenderAccounts lenderAccounts;

    private final VerifyDefaults verifyDefaults;

    /**
     * Commands run on a data dir with no server running: users' verification defaults are set
     * straight in the database.
     */
    public AdminCommands(Database db, Accounts accounts, Reputation reputation) {
        this(db, accounts, null, new VerifyDefaults(db, VerifyPolicy.defaults()), reputation, null);
    }

    /**
     * @param lenders lines describing the lenders online; null when no server is running
     * @param verifyDefaults the running server's per-user verification defaults
     * @param reputation lender accounts' records (loaded from {@code db} when run locally)
     * @param standingChanged told the name of an account an admin suspended or resumed, so its
     *     lenders online follow; null when no server is running
     */
    public AdminCommands(Database db, Accounts accounts, Supplier<List<String>> lenders,
            VerifyDefaults verifyDefaults, Reputation reputation,
            Consumer<String> standingChanged) {
        this.db = db;
        this.accounts = accounts;
        this.lenders = lenders;
        this.verifyDefaults = verifyDefaults;
        this.lenderAccounts = new LenderAccounts(db, reputation, standingChanged);
    }

    public String run(List<String> argv, String actor) {
        if (argv.isEmpty()) {
            throw usage("missing command: user, lenders, jobs or audit");
        }
        Args a = new Args(argv.subList(1, argv.size()));
        return switch (argv.get(0)) {
            case "user" -> user(a, actor);
            case "lenders" -> lenders(a);
            case "jobs" -> jobs(a);
            case "audit" -> audit(a);
            default -> throw usage("unknown command " + argv.get(0)
                    + " (user, lenders, jobs, audit)");
        };
    }

    static AdminFailure usage(String msg) {
        return new AdminFailure(FailureKind.INVALID, msg);
    }

    private String user(Args a, String actor) {
        String sub = a.word("user add|list|disable|enable|passwd|set-verify");
        try {
            switch (sub) {
                case "add" -> {
                    String name = a.word("user name");
                    boolean admin = a.flag("--admin");
                    char[] pw = a.password();
                    a.done();
                    accounts.addUser(name, pw, admin, actor);
                    return "user " + name + " added" + (admin ? " (admin)" : "");
                }
                case "list" -> {
                    a.done();
                    StringBuilder sb = new StringBuilder(String.format("%-24s %-6s %-9s %s%n",
                            "NAME", "ADMIN", "STATE", "CREATED"));
                    for (UserAccount u : accounts.list()) {
                        sb.append(String.format("%-24s %-6s %-9s %s%n",
                                TerminalText.line(u.getName()),
                                u.isAdmin() ? "yes" : "no", u.isEnabled() ? "enabled"
                                        : "disabled", TIME.format(Instant.ofEpochMilli(
                                                u.getCreatedAt()))));
                    }
                    return sb.toString().stripTrailing();
                }
                case "disable" -> {
                    String name = a.word("user name");
                    a.done();
                    accounts.disable(name, actor);
                    return "user " + name + " disabled";
                }
                case "enable" -> {
                    String name = a.word("user name");
                    a.done();
                    accounts.enable(name, actor);
                    return "user " + name + " enabled";
                }
                case "passwd" -> {
                    String name = a.word("user name");
                    char[] pw = a.password();
                    a.done();
                    accounts.setPassword(name, pw, actor);
                    return "password of " + name + " changed";
                }
                case "set-verify" -> {
                    String name = a.word("user name");
                    String n = a.word("replicas (1 to 7; 0: the server's default)");
                    a.done();
                    int replicas;
                    try {
                        replicas = Integer.parseInt(n);
                        if (!verifyDefaults.set(name, replicas)) {
                            throw new AdminFailure(FailureKind.NOT_FOUND, "no user " + name);
                        }
                    } catch (IllegalArgumentException e) {
                        throw usage("set-verify " + TerminalText.line(n) + ": "
                                + (e instanceof NumberFormatException ? "not a number"
                                        : e.getMessage()));
                    }
                    return replicas == 0 ? "jobs of " + name + " are verified as the server's "
                            + "default says (" + verifyDefaults.serverDefault() + ")"
                            : "jobs of " + name + " run on " + replicas + " lender"
                                    + (replicas == 1 ? "" : "s of different accounts")
                                    + " unless they ask otherwise";
                }
                default -> throw usage("unknown: user " + sub + " (add, list, disable, enable, "
                        + "passwd, set-verify)");
            }
        } catch (Accounts.AccountException e) {
            throw new AdminFailure(e.exists() ? FailureKind.EXISTS
                    : e.getMessage().startsWith("no user") ? FailureKind.NOT_FOUND
                    : FailureKind.INVALID, e.getMessage());
        }
    }

    private String lenders(Args a) {
        String sub = a.rest().isEmpty() ? "" : a.word("lenders suspend|resume");
        if (sub.equals("suspend") || sub.equals("resume")) {
            String name = a.word("account name");
            a.done();
            return lenderAccounts.suspend(name, sub.equals("suspend"));
        }
        if (!sub.isEmpty()) {
            throw usage("unknown: lenders " + sub + " (lenders, lenders suspend NAME, "
                    + "lenders resume NAME)");
        }
        a.done();
        String online;
        if (lenders == null) {
            online = "the server is not running: no lenders are online";
        } else {
            List<String> lines = lenders.get().stream().map(TerminalText::line).toList();
            online = lines.isEmpty() ? "no lenders are online"
                    : "online:\n" + String.join("\n", lines);
        }
        return lenderAccounts.table() + "\n\n" + online;
    }

    private String jobs(Args a) {
        String state = a.option("--state");
        String user = a.option("--user");
        String name = a.option("--name");
        long before = a.longOption("--before", 0);
        int limit = (int) a.longOption("--limit", 50);
        a.done();
        JobState st = null;
        if (state != null) {
            try {
                st = JobState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw usage("unknown state " + state + "; states: "
                        + java.util.Arrays.toString(JobState.values()));
            }
        }
        JobState fs = st;
        List<Job> jobs = db.inTransaction(tx -> tx.jobs().page(user, fs, name, before,
                Math.max(1, Math.min(limit, 10_000))));
        StringBuilder sb = new StringBuilder(String.format("%-8s %-16s %-24s %-14s %-4s %-8s %s%n",
                "ID", "OWNER", "SCRIPT", "STATE", "TRY", "EXIT", "SUBMITTED"));
        for (Job j : jobs) {
            sb.append(String.format("%-8d %-16s %-24s %-14s %-4d %-8s %s%n", j.getId(),
                    TerminalText.line(j.getOwnerName()), cut(TerminalText.line(j.getScriptName()),
                            24), j.getState(), j.getAttempts(),
                    j.getExitCode() == null ? "" : j.getExitCode().toString(),
                    TIME.format(Instant.ofEpochMilli(j.getSubmittedAt()))));
        }
        if (jobs.isEmpty()) {
            sb.append("(no jobs)");
        }
        return sb.toString().stripTrailing();
    }

    private String audit(Args a) {
        String since = a.option("--since");
        String user = a.option("--user");
        boolean csv = a.flag("--csv");
        boolean verify = a.flag("--verify");
        int limit = (int) a.longOption("--limit", 1000);
        a.done();
        if (verify) {
            VerifyResult r = db.inTransaction(tx -> tx.audit().verify());
            if (r.ok()) {
                return "audit chain OK: " + r.rowsChecked() + " rows verified";
            }
            throw new AdminFailure(FailureKind.CHECKSUM, "audit chain BROKEN at row "
                    + r.firstBrokenId() + ": " + r.reason() + " (" + r.rowsChecked()
                    + " rows checked)");
        }
        Long sinceMillis = since == null ? null : parseTime(since);
        List<AuditEvent> rows = db.inTransaction(tx -> sinceMillis == null
                ? tx.audit().latest(user, limit) : tx.audit().query(sinceMillis, user, limit));
        StringBuilder sb = new StringBuilder();
        if (csv) {
            sb.append("id,time,user,code,request,job,outcome,detail,address,hash\n");
            for (AuditEvent e : rows) {
                sb.append(e.getId()).append(',').append(Instant.ofEpochMilli(e.getAt()))
                        .append(',').append(TerminalText.csvCell(e.getUserName())).append(',')
                        .append(TerminalText.csvCell(e.getCode())).append(',')
                        .append(e.getRequestId()).append(',')
                        .append(e.getJobId() == null ? "" : e.getJobId()).append(',')
                        .append(TerminalText.csvCell(e.getOutcome())).append(',')
                        .append(TerminalText.csvCell(e.getDetail())).append(',')
                        .append(TerminalText.csvCell(e.getRemoteAddress())).append(',')
                        .append(e.getHash()).append('\n');
            }
        } else {
            for (AuditEvent e : rows) {
                sb.append(String.format("%6d %s %-12s %-12s #%-5d %-6s %-4s %s%n", e.getId(),
                        TIME.format(Instant.ofEpochMilli(e.getAt())),
                        e.getUserName() == null ? "-" : TerminalText.line(e.getUserName()),
                        TerminalText.line(e.getCode()), e.getRequestId(),
                        e.getJobId() == null ? "" : e.getJobId().toString(),
                        TerminalText.line(e.getOutcome()),
                        e.getDetail() == null ? "" : TerminalText.line(e.getDetail())));
            }
            if (rows.isEmpty()) {
                sb.append("(no audit rows)");
            }
        }
        return sb.toString().stripTrailing();
    }

    /** ISO instant, "yyyy-MM-dd HH:mm[:ss]" local, a date, or a relative "30m", "2h", "7d". */
    static long parseTime(String s) {
        try {
            if (s.matches("\\d+[smhd]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                long unit = switch (s.charAt(s.length() - 1)) {
                    case 's' -> 1000L;
                    case 'm' -> 60_000L;
                    case 'h' -> 3_600_000L;
                    default -> 86_400_000L;
                };
                return System.currentTimeMillis() - n * unit;
            }
            if (s.endsWith("Z") || s.contains("+")) {
                return Instant.parse(s).toEpochMilli();
            }
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneId.systemDefault()).toInstant()
                        .toEpochMilli();
            }
            String t = s.replace(' ', 'T');
            return LocalDateTime.parse(t).atZone(ZoneId.systemDefault()).toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw usage("cannot read time " + s + " (use 2026-11-28, 2026-11-28 09:00, "
                    + "an ISO instant, or 30m / 2h / 7d ago)");
        }
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    /** A tiny strict parser of words and options. */
    static final class Args {
        private final List<String> rest;

        Args(List<String> argv) {
            this.rest = new ArrayList<>(argv);
        }

        String word(String what) {
            for (int i = 0; i < rest.size(); i++) {
                if (!rest.get(i).startsWith("--")) {
                    return rest.remove(i);
                }
                if (!rest.get(i).equals("--admin") && !rest.get(i).equals("--csv")
                        && !rest.get(i).equals("--verify")) {
                    i++; // skip an option's value
                }
            }
            throw usage("missing " + what);
        }

        boolean flag(String name) {
            return rest.remove(name);
        }

        String option(String name) {
            for (int i = 0; i < rest.size(); i++) {
                String s = rest.get(i);
                if (s.equals(name)) {
                    if (i + 1 >= rest.size()) {
                        throw usage(name + " needs a value");
                    }
                    rest.remove(i);
                    return rest.remove(i);
                }
                if (s.startsWith(name + "=")) {
                    rest.remove(i);
                    return s.substring(name.length() + 1);
                }
            }
            return null;
        }

        long longOption(String name, long dflt) {
            String v = option(name);
            if (v == null) {
                return dflt;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw usage(name + " needs a number, not " + v);
            }
        }

        List<String> rest() {
            return rest;
        }

        char[] password() {
            String v = option("--password");
            if (v == null) {
                throw usage("missing --password");
            }
            return v.toCharArray();
        }

        void done() {
            if (!rest.isEmpty()) {
                throw usage("unexpected: " + String.join(" ", rest));
            }
        }
    }
}
