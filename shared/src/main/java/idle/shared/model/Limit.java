package idle.shared.model;

/** A lender limit that can stop a script. */
public enum Limit {
    CPU_TIME("CPU time"),
    MEMORY("memory"),
    WALL_CLOCK("wall-clock timeout"),
    OUTPUT("output size"),
    FILE_SIZE("file size"),
    PROCESSES("process count");

    private final String label;

    Limit(String label) {
        this.label = label;
    }

    /** Human-readable name, e.g. "CPU time". */
    public String label() {
        return label;
    }
}
