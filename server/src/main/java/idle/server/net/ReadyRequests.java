package idle.server.net;

import idle.server.audit.AuditAction;
import idle.server.dispatch.Coordinator;
import idle.server.reputation.CreditNotices;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.protocol.Code;
import idle.shared.protocol.Frame;
import java.util.Optional;

/**
 * Routes the requests of a logged-in client to the {@link Coordinator}: RCS, ATT, CAN, HST, JOB,
 * GIP, GPT, GOF, MML, WBL, BSY, the sweep requests (SWP, SWT, SWA, SWL, SWC, SWR), and ADM (to
 * {@link AdminRequests}); DCN logs out. A request that
 * opens an exchange (RCS, ATT, GOF) needs a free, positive request id and room under the
 * open-request cap, else it gets {@code ILR#id} or {@code FLD{LIMIT}}. Queries are answered here;
 * every answer given here is audited.
 *
 * <p>Threads: {@link #handle} runs on the session's reader thread only. Talks to its session
 * through {@link SessionLink} and reads and books open requests in the session's
 * {@link ExchangeTable}; lives as long as the session.
 */
final class ReadyRequests {
    private final Coordinator co;
    private final SessionLink session;
    private final ExchangeTable exchanges;
    private final AdminRequests admin;
    private final CreditNotices credits;

    ReadyRequests(Coordinator co, SessionLink session, ExchangeTable exchanges,
            AdminRequests admin, CreditNotices credits) {
        this.credits = credits;
        this.co = co;
        this.session = session;
        this.exchanges = exchanges;
        this.admin = admin;
    }

    /** One decoded frame that opened no exchange, from a logged-in client. */
    void handle(Frame f, Message m) {
        int id = f.requestId();
        switch (m) {
            case Message.Logout x -> session.logout(id);
            case Message.Login x -> session.illegal(id, f.code(),
                    "already logged in as " + session.user());
            case Message.RunScript rs -> {
                if (mayOpen(id, f.code())) {
                    exchanges.awaiting(id); // until its follow opens or it is refused
                    co.submit(session.peer(), id, rs);
                }
            }
            case Message.Attach a -> {
                if (mayOpen(id, f.code())) {
                    co.attach(session.peer(), id, a.jobId(), a.fromSeq(), a.follow());
                }
            }
            case Message.Cancel c -> co.cancel(session.peer(), id, c.jobId());
            case Message.History h -> {
                session.reply(id, new Message.Success(co.history(session.user(), h.state(),
                        h.nameContains(), h.beforeJobId(), h.limit())));
                session.audit(AuditAction.HST, id, null, Code.SCF, "");
            }
            case Message.JobQuery q -> {
                var d = co.detail(session.user(), false, q.jobId());
                if (d.isPresent()) {
                    session.reply(id, new Message.Success(new Result.Detail(d.get())));
                    session.audit(AuditAction.JOB, id, q.jobId(), Code.SCF, "");
                } else {
                    notFound(id, AuditAction.JOB, q.jobId());
                }
            }
            case Message.LenderOf q -> lenderOf(id, q.jobId());
            case Message.PoolQuery q -> {
                session.reply(id, new Message.Success(new Result.Pool(co.pool())));
                session.audit(AuditAction.GPT, id, null, Code.SCF, "");
            }
            case Message.GetOutputFile g -> getFile(id, g);
            case Message.MakeLender ml -> {
                boolean was = co.isLender(session.peer());
                co.makeLender(session.peer(), id, ml.capabilities());
                if (!was && co.isLender(session.peer())) {
                    credits.lenderOnline(session.peer()); // after its SCF: CRD
                }
            }
            case Message.Withdraw w -> {
                if (co.isLender(session.peer())) {
                    co.withdraw(session.peer(), id, w.returnJobs());
                } else {
                    session.illegal(id, f.code(), "only a lender can withdraw (send MML first)");
                }
            }
            case Message.Availability a -> {
                if (co.isLender(session.peer())) {
                    co.availability(session.peer(), id, a.available(), a.reason());
                } else {
                    session.illegal(id, f.code(), "only a lender can report its availability");
                }
            }
            case Message.Admin a -> admin.run(id, a);
            case Message.SweepOpen so -> {
                if (mayOpen(id, f.code())) {
                    exchanges.awaiting(id); // until its follow opens or it is refused
                    co.openSweep(session.peer(), id, so);
                }
            }
            case Message.SweepRetry sr -> {
                if (mayOpen(id, f.code())) {
                    exchanges.awaiting(id);
                    co.retrySweep(session.peer(), id, sr.sweepId());
                }
            }
            case Message.SweepAttach sa -> {
                if (mayOpen(id, f.code())) {
                    co.attachSweep(session.peer(), id, sa.sweepId(), sa.follow());
                }
            }
            case Message.SweepTasks st -> co.sweepTasks(session.peer(), id, st);
            case Message.SweepList sl -> {
                Result r = co.listSweeps(session.peer(), id, sl);
                if (r != null) {
                    session.reply(id, new Message.Success(r));
                }
            }
            case Message.SweepCancel sc -> sweepCancel(id, sc.sweepId());
            default -> session.illegal(id, f.code(),
                    f.code() + " is not a request a client may send");
        }
    }

    private void sweepCancel(int id, long sweepId) {
        int n = co.cancelSweep(session.peer(), id, sweepId);
        if (n >= 0) {
            session.reply(id, new Message.Success(new Result.Text("cancelled " + n
                    + (n == 1 ? " task" : " tasks") + " of sweep " + sweepId)));
            return;
        }
        boolean mine = co.ownsSweep(session.user(), sweepId);
        String why = mine ? "sweep " + sweepId + " already ended" : "you have no sweep " + sweepId;
        session.reply(id, new Message.Failure(mine ? FailureKind.WRONG_STATE
                : FailureKind.NOT_FOUND, why));
        session.audit(idle.server.audit.AuditAction.of(Code.SWC), id, null, Code.FLD, why);
    }

    private void lenderOf(int id, long jobId) {
        Optional<String> p = co.lenderOf(session.user(), jobId);
        if (p.isEmpty()) {
            notFound(id, AuditAction.GIP, jobId);
        } else if (p.get().isEmpty()) {
            session.reply(id, new Message.Failure(FailureKind.WRONG_STATE, "job " + jobId
                    + " has not been given to a lender yet"));
            session.audit(AuditAction.GIP, id, jobId, Code.FLD, "no lender yet");
        } else {
            session.reply(id, new Message.Success(new Result.Text(p.get())));
            session.audit(AuditAction.GIP, id, jobId, Code.SCF, "");
        }
    }

    private void notFound(int id, AuditAction action, long jobId) {
        session.reply(id, new Message.Failure(FailureKind.NOT_FOUND, "you have no job " + jobId));
        session.audit(action, id, jobId, Code.FLD, "not found");
    }

    private void getFile(int id, Message.GetOutputFile g) {
        if (mayOpen(id, Code.GOF)) {
            co.getFile(session.peer(), id, g);
        }
    }

    /**
     * Whether a request that opens an exchange (RCS, ATT, GOF, SWP, SWR, SWA) may do so under
     * {@code id}: a positive id (negative ones are the server's: one must not replace its
     * exchange), not in use, and room under the cap. When not, the client is answered
     * ({@code ILR} or {@code FLD{LIMIT}}) and it is audited.
     */
    private boolean mayOpen(int id, Code code) {
        if (id <= 0) {
            session.illegal(id, code, "client request ids must be positive");
            return false;
        }
        if (exchanges.inUse(id)) {
            session.illegal(id, code, "request id " + id + " is still in use");
            return false;
        }
        return roomForRequest(id, code);
    }

    /**
     * Whether the client may open one more request; when not, it is answered
     * {@code FLD{LIMIT}} and audited.
     */
    private boolean roomForRequest(int id, Code code) {
        if (exchanges.hasRoom()) {
            return true;
        }
        session.reply(id, new Message.Failure(FailureKind.LIMIT, "too many open requests on this "
                + "connection (the limit is " + exchanges.cap() + "); wait for some "
                + "to end"));
        session.audit(AuditAction.of(code), id, null, Code.FLD, "open request limit");
        return false;
    }
}
