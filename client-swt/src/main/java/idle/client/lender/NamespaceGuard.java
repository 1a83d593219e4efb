package idle.client.lender;

/**
 * What stops a job from making namespaces of its own. A new user namespace would give the job
 * every capability inside it, and with them kernel code (mounts, network configuration, and so
 * on) that is otherwise out of its reach: a common first step of container escapes. Two things
 * can stop it: bubblewrap's {@code --disable-userns} (0.8.0 and later) and the
 * {@link SeccompFilter} (x86_64), which refuses {@code clone} with new-namespace flags,
 * {@code clone3}, {@code unshare} and {@code setns}. With neither, the lender refuses to lend
 * unless its owner explicitly allows it ({@code --allow-user-namespaces}).
 */
public enum NamespaceGuard {
    /** Both bubblewrap and the seccomp filter. */
    BUBBLEWRAP_AND_SECCOMP("no new namespaces (--disable-userns + seccomp)"),
    /** The seccomp filter alone: this bubblewrap has no {@code --disable-userns}. */
    SECCOMP("no new namespaces (seccomp; this bubblewrap has no --disable-userns)"),
    /** Bubblewrap alone: no seccomp filter for this machine's architecture. */
    BUBBLEWRAP("no new user namespaces (--disable-userns; no seccomp filter here)"),
    /** Nothing: a job may make user namespaces (the owner allowed it). */
    NONE("new namespaces NOT blocked (allowed with --allow-user-namespaces)");

    private final String text;

    NamespaceGuard(String text) {
        this.text = text;
    }

    /** A few words for the sandbox's description, e.g. "no new namespaces (--disable-userns + seccomp)". */
    public String text() {
        return text;
    }

    /** What protects with this bubblewrap, with or without the seccomp filter. */
    static NamespaceGuard of(Bubblewrap bwrap, boolean seccomp) {
        if (bwrap.disableUserns()) {
            return seccomp ? BUBBLEWRAP_AND_SECCOMP : BUBBLEWRAP;
        }
        return seccomp ? SECCOMP : NONE;
    }

    /**
     * {@link #of}, refusing {@link #NONE} unless {@code allowed}.
     *
     * @throws SandboxException saying what is missing and what to do
     */
    static NamespaceGuard require(Bubblewrap bwrap, boolean seccomp, boolean allowed)
            throws SandboxException {
        NamespaceGuard g = of(bwrap, seccomp);
        if (g == NONE && !allowed) {
            throw new SandboxException("jobs could make user namespaces here: this bubblewrap ("
                    + (bwrap.version().isEmpty() ? "version unknown" : bwrap.version())
                    + ") has no --disable-userns (it came with 0.8.0), and there is no seccomp "
                    + "filter for " + System.getProperty("os.arch") + ". Install bubblewrap 0.8.0 "
                    + "or later, or lend anyway with --allow-user-namespaces (not recommended).");
        }
        return g;
    }
}
