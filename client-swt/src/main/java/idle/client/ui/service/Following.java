package idle.client.ui.service;

/** A follow of one job's output and events; closing it stops the delivery. Idempotent. */
public interface Following extends AutoCloseable {
    @Override
    void close();
}
