package idle.shared.model;

/** Which output stream a chunk belongs to. */
public enum StreamKind { STDOUT, STDERR }
