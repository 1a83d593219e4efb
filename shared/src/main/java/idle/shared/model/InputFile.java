package idle.shared.model;

import java.util.Arrays;
import java.util.Objects;

/** An input file sent with a job: a plain file name (no directories), its bytes and SHA-256 hex. */
public record InputFile(String name, byte[] data, String sha256) {
    public InputFile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(sha256, "sha256");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputFile f && f.name.equals(name) && Arrays.equals(f.data, data)
                && f.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(data), sha256);
    }

    @Override
    public String toString() {
        return "InputFile[" + name + ", " + data.length + "B]";
    }
}
