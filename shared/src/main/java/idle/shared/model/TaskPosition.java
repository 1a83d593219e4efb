package idle.shared.model;

/**
 * Where a job stands in its sweep, as the lender hands it to the script: {@code IDLE_TASK_INDEX}
 * ({@code index}, 0-based) and {@code IDLE_TASK_COUNT} ({@code count}, the tasks of the sweep as
 * first submitted, so a retried task sees the numbers it had).
 */
public record TaskPosition(int index, int count) {
    public TaskPosition {
        if (index < 0 || count < 1 || index >= count) {
            throw new IllegalArgumentException("task " + index + " of " + count);
        }
    }
}
