package idle.server.dispatch;

import idle.shared.model.LenderCapabilities;
import idle.shared.model.PythonEnvironment;
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
            out.add(String.format("%-20s %-16s %d/%d running  python %s  %s%s%s%s%s  done %d",
                    l.pseudonym(), l.user(), l.running(), l.slots(), environments(c),
                    c.sandbox(), l.available() ? "" : "  (busy)",
                    l.withdrawn() ? "  (withdrawn)" : "",
                    l.benched() ? "  (benched: refused jobs)" : "",
                    l.suspended() ? "  (suspended: no new jobs)" : "", l.jobsDone()));
        }
        return out;
    }

    /** Each environment's python version and module count: "3.11.2 (412 modules), 3.12.1 (3)". */
    static String environments(LenderCapabilities c) {
        StringBuilder sb = new StringBuilder();
        for (PythonEnvironment e : c.environments()) {
            boolean first = sb.isEmpty();
            sb.append(first ? "" : ", ").append(e.pythonVersion().isEmpty() ? "?"
                    : e.pythonVersion()).append(" (").append(e.modules().size())
                    .append(first ? " modules)" : ")");
        }
        return sb.toString();
    }
}
