package idle.server.admin;

import idle.db.Database;
import idle.db.repository.LenderRecord;
import idle.server.net.ServerContext.AdminFailure;
import idle.server.reputation.Reputation;
import idle.server.reputation.Standings;
import idle.shared.model.CpuTime;
import idle.shared.model.FailureKind;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * The admin's view of lender accounts ({@code idle admin lenders}): every account's record and
 * standing, online or not, and suspending or resuming one. Used by {@link AdminCommands}, on
 * the admin's thread.
 */
final class LenderAccounts {
    private static final DateTimeFormatter TIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final String ROW = "%-20s %-14s %7s %9s %5s %9s %7s %13s %13s  %s%n";

    private final Database db;
    private final Reputation reputation;
    private final Consumer<String> standingChanged;

    LenderAccounts(Database db, Reputation reputation, Consumer<String> standingChanged) {
        this.db = db;
        this.reputation = reputation;
        this.standingChanged = standingChanged;
    }

    /** One line per account that ever lent or was suspended. */
    String table() {
        StringBuilder sb = new StringBuilder(String.format(ROW, "ACCOUNT", "STANDING", "AGREED",
                "DISAGREED", "LOST", "UNCHECKED", "STRIKES", "CPU SERVED", "CREDIT", "CHANGED"));
        var records = reputation.records();
        for (LenderRecord r : records) {
            sb.append(String.format(ROW, TerminalText.line(r.user()),
                    Standings.word(reputation.standingOf(r.user())), r.agreed(), r.disagreed(),
                    r.lost(), r.unchecked(), r.strikes(), CpuTime.format(r.cpuMillis()),
                    CpuTime.format(r.creditMillis()), r.changedAt() == 0 ? "-"
                            : TIME.format(Instant.ofEpochMilli(r.changedAt()))));
        }
        if (records.isEmpty()) {
            sb.append("(no lender accounts yet)");
        }
        return sb.toString().stripTrailing();
    }

    /** Suspends or resumes lending by account {@code name}, which must exist. */
    String suspend(String name, boolean suspend) {
        if (db.inTransaction(tx -> tx.users().findByName(name)).isEmpty()) {
            throw new AdminFailure(FailureKind.NOT_FOUND, "no user " + name);
        }
        boolean was = reputation.recordOf(name).suspended();
        reputation.suspend(name, suspend);
        if (standingChanged != null) {
            standingChanged.accept(name);
        }
        String who = "lending by " + TerminalText.line(name);
        if (suspend) {
            return who + (was ? " was suspended already" : " suspended")
                    + ": its lenders get no new jobs (those running may finish) and it cannot "
                    + "offer to lend until resumed";
        }
        return who + (was ? " resumed" : " was not suspended") + ": now "
                + Standings.word(reputation.standingOf(name));
    }
}
