package idle.server.dispatch;

import idle.server.audit.AuditAction;
import idle.server.audit.AuditLog;
import idle.server.auth.Pseudonyms;
import idle.server.peer.Peer;
import idle.shared.message.Message;
import idle.shared.message.Result;
import idle.shared.model.FailureKind;
import idle.shared.model.LenderCapabilities;
import idle.shared.protocol.Code;
import java.util.ArrayList;
import java.util.logging.Logger;

/**
 * A lender's life: it offers itself (MML), reports itself busy or available (BSY), withdraws
 * (WBL), or its connection ends. Each changes the lender registry and may free or take jobs, so
 * each ends with a dispatch. An account lends on at most {@code maxLenders} connections at once,
 * since a lender's slot bound is per connection. Runs on the lender connection's reader thread.
 */
final class LenderEvents {
    private static final Logger LOG = Logger.getLogger(LenderEvents.class.getName());

    private final JobStateMachine jobs;
    private final AuditLog audit;
    private final Pseudonyms pseudonyms;
    private final int maxSlots;
    private final int maxLenders;
    private final LenderTrust trust;

    /** What an MML comes to. */
    private enum Offer { ACCEPTED, ALREADY_A_LENDER, TOO_MANY, SUSPENDED }

    /**
     * @param maxSlots most jobs one lender is given at once, whatever it offers
     * @param maxLenders lender connections one account may have at once
     * @param trust the accounts' standings: a suspended account may not lend
     */
    LenderEvents(JobStateMachine jobs, AuditLog audit, Pseudonyms pseudonyms, int maxSlots,
            int maxLenders, LenderTrust trust) {
        this.trust = trust;
        this.jobs = jobs;
        this.audit = audit;
        this.pseudonyms = pseudonyms;
        this.maxSlots = maxSlots;
        this.maxLenders = maxLenders;
    }

    /** MML#n: the connection becomes a lender (again, after a withdrawal); SCF{its pseudonym}. */
    void makeLender(Peer peer, int n, LenderCapabilities offered) {
        // its texts reach runners (NLA reasons) and admins (lender lines, audit)
        LenderCapabilities caps = LenderText.clean(offered);
        String pseudonym = pseudonyms.of(peer.user());
        Offer offer = jobs.lockedGet(() -> {
            LenderHandle old = jobs.lenderLocked(peer);
            if (old != null && !old.withdrawn) {
                return Offer.ALREADY_A_LENDER;
            }
            // read under the lock: a suspension after this sees the new handle
            // (Coordinator#standingChanged), one before it is refused here
            if (trust.standingOf(peer.user()) == LenderTrust.Standing.SUSPENDED) {
                return Offer.SUSPENDED;
            }
            if (old == null && jobs.lenderConnectionsLocked(peer.user()) >= maxLenders) {
                return Offer.TOO_MANY;
            }
            if (old != null) {
                // a withdrawn lender offers itself again: the same handle, since the attempts
                // it still runs are bound to it (a new one made their FINs look stale)
                old.offerAgain(caps, maxSlots);
                jobs.schedulerLocked().refresh(old);
                jobs.dispatchLocked();
            } else {
                jobs.addLenderLocked(new LenderHandle(peer, peer.user(), pseudonym, caps,
                        maxSlots));
            }
            return Offer.ACCEPTED;
        });
        if (offer == Offer.ALREADY_A_LENDER) {
            peer.send(n, new Message.Illegal("this connection is already a lender"));
            audit.record(peer.user(), AuditAction.MML, n, null, Code.ILR, "already a lender",
                    peer.remoteAddress());
            return;
        }
        if (offer == Offer.SUSPENDED) {
            String why = "lending by account " + peer.user() + " is suspended by an admin"
                    + " of this server; ask them to resume it";
            peer.send(n, new Message.Failure(FailureKind.WRONG_STATE, why));
            audit.record(peer.user(), AuditAction.MML, n, null, Code.FLD, why,
                    peer.remoteAddress());
            return;
        }
        if (offer == Offer.TOO_MANY) {
            String why = peer.user() + " already lends on " + maxLenders
                    + " connections; the limit is " + maxLenders + " per account";
            peer.send(n, new Message.Failure(FailureKind.LIMIT, why));
            audit.record(peer.user(), AuditAction.MML, n, null, Code.FLD, why,
                    peer.remoteAddress());
            return;
        }
        peer.send(n, new Message.Success(new Result.Text(pseudonym)));
        int slots = LenderHandle.slotsFor(caps, maxSlots);
        String what = slots + " slots" + (slots < caps.maxJobs() ? " (offered " + caps.maxJobs()
                + ", " + caps.cores() + " cores)" : "");
        audit.record(peer.user(), AuditAction.MML, n, null, Code.SCF, what + ", python "
                + caps.pythonVersion() + ", " + caps.sandbox(), peer.remoteAddress());
        LOG.info(() -> "lender " + pseudonym + " online with " + what);
    }

    /** True when the connection is an active lender. */
    boolean isLender(Peer peer) {
        return jobs.lockedGet(() -> {
            LenderHandle h = jobs.lenderLocked(peer);
            return h != null && !h.gone;
        });
    }

    /** WBL#n: no new jobs; with {@code returnJobs} the running ones go back to the queue. */
    void withdraw(Peer peer, int n, boolean returnJobs) {
        jobs.locked(() -> {
            LenderHandle h = jobs.lenderLocked(peer);
            h.withdrawn = true;
            jobs.schedulerLocked().refresh(h);
            if (returnJobs) {
                for (ActiveJob j : new ArrayList<>(h.running.keySet())) {
                    if (j.id == 0) {
                        continue;
                    }
                    jobs.unassignLocked(j);
                    if (j.state.isTerminal()) {
                        continue; // ended without its lender (cancelOverdue)
                    }
                    if (j.cancelRequested) {
                        jobs.endLocked(j, Ending.cancelled(Reasons.CANCELLED), null, null);
                    } else {
                        jobs.requeueLocked(j, Reasons.LENDER_WITHDREW);
                    }
                }
            }
            jobs.dispatchLocked();
        });
        peer.send(n, new Message.Success(new Result.Empty()));
        audit.record(peer.user(), AuditAction.WBL, n, null, Code.SCF,
                returnJobs ? "jobs returned" : "", peer.remoteAddress());
    }

    /** BSY#n: the lender takes jobs again, or not for now. */
    void availability(Peer peer, int n, boolean available, String lenderReason) {
        String reason = LenderText.clean(lenderReason);
        jobs.locked(() -> {
            LenderHandle h = jobs.lenderLocked(peer);
            h.available = available;
            jobs.schedulerLocked().refresh(h);
            jobs.dispatchLocked();
        });
        peer.send(n, new Message.Success(new Result.Empty()));
        audit.record(peer.user(), AuditAction.BSY, n, null, Code.SCF,
                (available ? "available" : "busy") + (reason.isEmpty() ? "" : ": " + reason),
                peer.remoteAddress());
    }

    /** The connection is gone: if it was a lender, its running jobs go back to the queue. */
    void peerGone(Peer peer) {
        Gone g = jobs.lockedGet(() -> {
            LenderHandle h = jobs.removeLenderLocked(peer);
            if (h == null || jobs.stoppingLocked()) {
                return null; // stopping: its jobs stay RUNNING and the next start re-queues them
            }
            int lost = h.running.size();
            for (ActiveJob j : new ArrayList<>(h.running.keySet())) {
                if (j.id == 0) {
                    continue; // its insert is still being written; the commit sees h.gone
                }
                jobs.lenderLostLocked(j, Reasons.LENDER_DISCONNECTED);
            }
            jobs.dispatchLocked();
            return new Gone(h, lost);
        });
        if (g == null) {
            return;
        }
        audit.record(g.lender().user, AuditAction.LENDER_LOST, 0, null, Code.SCF, g.lost()
                + " running jobs re-queued", peer.remoteAddress());
        LOG.info(() -> "lender " + g.lender().pseudonym + " went offline");
    }

    private record Gone(LenderHandle lender, int lost) {
    }
}
