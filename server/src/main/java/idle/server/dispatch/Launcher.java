package idle.server.dispatch;

import idle.server.peer.Peer;
import idle.shared.message.Codec;
import idle.shared.message.Message;
import idle.shared.model.InputFile;
import idle.shared.protocol.Frame;
import java.io.IOException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts an attempt whose RUNNING state committed: reads the job's inputs, builds its EXF, opens
 * the exchange that will receive the lender's frames ({@link LenderRun}) and sends it.
 *
 * <p>Contract: every way this can fail ends the attempt through its {@link AttemptListener}, so
 * no failure leaves the job RUNNING on a lender that never heard of it, or the lender's slot
 * taken: inputs unreadable or an EXF that cannot be built: the job FAILS with the reason; the
 * lender's connection gone: the job is re-queued; anything unexpected: the job FAILS.
 *
 * <p>Threads: a job without inputs is sent on the caller's thread (the store writer's commit
 * callback: encoding a small EXF and queuing it never blocks); a job with inputs is read and
 * sent on a virtual thread of its own, since reading up to the input limit is disk I/O.
 */
final class Launcher {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

    private final InputStore inputs;
    private final SpoolDirs spool;
    private final long maxOutputBytes;

    /** @param maxOutputBytes the server's limit on one job's stdout + stderr + files */
    Launcher(InputStore inputs, SpoolDirs spool, long maxOutputBytes) {
        this.inputs = inputs;
        this.spool = spool;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** Sends attempt {@code attempt} of {@code job} to {@code lender} as exchange {@code id}. */
    void launch(ActiveJob job, Peer lender, int exchangeId, int attempt, AttemptListener listener) {
        Runnable send = () -> {
            try {
                send(job, lender, exchangeId, attempt, listener);
            } catch (RuntimeException | Error e) {
                // not rethrown: the caller may be the store writer's thread, which must live on;
                // this job's attempt ends here and the error is logged
                LOG.log(Level.SEVERE, "could not start " + job + " on a lender", e);
                lender.close(exchangeId);
                listener.fail(Reasons.notSendable(e.toString()));
            }
        };
        if (job.inputNames.isEmpty()) {
            send.run();
            return;
        }
        try {
            Thread.ofVirtual().name("idle-exf-" + job.id).start(send);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "could not start a thread to send " + job, e);
            listener.fail(Reasons.notSendable(e.toString()));
        }
    }

    private void send(ActiveJob job, Peer lender, int exchangeId, int attempt,
            AttemptListener listener) {
        List<InputFile> in;
        try {
            in = inputs.read(job.id, job.inputNames);
        } catch (IOException e) {
            LOG.log(Level.SEVERE, "cannot read the inputs of " + job, e);
            listener.fail(Reasons.inputsLost(e.getMessage()));
            return;
        }
        Frame exf;
        try {
            exf = Codec.encode(exchangeId, new Message.Execute(job.id, attempt, job.scriptName,
                    job.script, job.scriptSha256, job.args, in, job.needs, job.environment));
        } catch (IllegalArgumentException e) {
            // the door refuses what cannot be sent; this is a job stored before that rule
            LOG.log(Level.WARNING, "cannot encode the EXF of " + job, e);
            listener.fail(Reasons.notSendable(e.getMessage()));
            return;
        }
        lender.open(exchangeId, new LenderRun(job.id, attempt, exchangeId, lender, job.feed,
                spool.dir(job.id), maxOutputBytes, listener));
        if (!lender.send(exf)) {
            lender.close(exchangeId);
            listener.lenderGone();
        }
    }
}
