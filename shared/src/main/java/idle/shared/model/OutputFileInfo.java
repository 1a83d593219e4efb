package idle.shared.model;

import java.util.Objects;

/** A file a job wrote in its working directory: relative name, size in bytes, SHA-256 hex. */
public record OutputFileInfo(String name, long size, String sha256) {
    public OutputFileInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
    }
}
