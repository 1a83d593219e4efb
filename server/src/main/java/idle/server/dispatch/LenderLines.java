package idle.server.dispatch;

import idle.shared.model.LenderCapabilities;
import java.util.ArrayList;
import java.util.List;

/** The admin's text view of the lenders online: one line each. Stateless. */
final class LenderLines {
    private LenderLines() {
    }

    /** Pseudonym, user, load, python, sandbox, state, jobs done; in registration order. */
    static List<String> of(List<LenderHandle.Snapshot> lenders) {
        List<String> out = new ArrayList<>(lenders.size());
        for (LenderHandle.Snapshot l : lenders) {
            LenderCapabilities c = l.caps();
            out.add(String.format("%-20s %-16s %d/%d running  python %s  %s%s%s%s  done %d",
                    l.pseudonym(), l.user(), l.running(), l.slots(), c.pythonVersion(),
                    c.sandbox(), l.available() ? "" : "  (busy)",
                    l.withdrawn() ? "  (withdrawn)" : "",
                    l.benched() ? "  (benched: refused jobs)" : "", l.jobsDone()));
        }
        return out;
    }
}
