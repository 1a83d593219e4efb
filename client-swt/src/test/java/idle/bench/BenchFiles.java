package idle.bench;

import java.nio.file.Path;

/** File helpers the fault tests share with the benchmark. */
public final class BenchFiles {
    private BenchFiles() {
    }

    /** Deletes a directory tree if it exists (best effort). */
    public static void deleteTree(Path p) {
        BenchMain.deleteTree(p);
    }
}
