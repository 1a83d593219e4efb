package idle.server;

/**
 * How much of the server one account may take, and how much memory the dispatch may keep, in one
 * place. Part of {@link ServerConfig} ({@link ServerConfig#dispatch()}); build with
 * {@link #defaults()} and the {@code with...} methods.
 *
 * @param maxQueuedPerUser jobs one account may have that have not ended (queued or running);
 *     one more is refused at the door with {@code FLD{LIMIT}} before anything is stored
 * @param maxLendersPerUser lender connections one account may have at once (the slot bound is
 *     per connection, so this bounds an account's share); one more MML gets {@code FLD{LIMIT}}
 * @param scriptCacheBytes bytes of queued jobs' scripts kept in memory so a job dispatched soon
 *     after it came in is not read back from the database; the rest stay in the database until
 *     dispatch. Zero keeps none.
 * @param verify how jobs are verified by default ({@link VerifyPolicy})
 */
public record DispatchLimits(int maxQueuedPerUser, int maxLendersPerUser, long scriptCacheBytes,
        VerifyPolicy verify) {
    public static final int DEFAULT_MAX_QUEUED_PER_USER = 10_000;
    public static final int DEFAULT_MAX_LENDERS_PER_USER = 4;
    public static final long DEFAULT_SCRIPT_CACHE_BYTES = 64L << 20;

    public DispatchLimits {
        if (maxQueuedPerUser < 1) {
            throw new IllegalArgumentException("maxQueuedPerUser must be at least 1");
        }
        if (maxLendersPerUser < 1) {
            throw new IllegalArgumentException("maxLendersPerUser must be at least 1");
        }
        java.util.Objects.requireNonNull(verify, "verify");
        if (scriptCacheBytes < 0) {
            throw new IllegalArgumentException("scriptCacheBytes must not be negative");
        }
    }

    /** 10,000 jobs not ended and 4 lender connections per account, a 64 MiB script cache. */
    public static DispatchLimits defaults() {
        return new DispatchLimits(DEFAULT_MAX_QUEUED_PER_USER, DEFAULT_MAX_LENDERS_PER_USER,
                DEFAULT_SCRIPT_CACHE_BYTES, VerifyPolicy.defaults());
    }

    public DispatchLimits withMaxQueuedPerUser(int v) {
        return new DispatchLimits(v, maxLendersPerUser, scriptCacheBytes, verify);
    }

    public DispatchLimits withMaxLendersPerUser(int v) {
        return new DispatchLimits(maxQueuedPerUser, v, scriptCacheBytes, verify);
    }

    public DispatchLimits withScriptCacheBytes(long v) {
        return new DispatchLimits(maxQueuedPerUser, maxLendersPerUser, v, verify);
    }

    public DispatchLimits withVerify(VerifyPolicy v) {
        return new DispatchLimits(maxQueuedPerUser, maxLendersPerUser, scriptCacheBytes, v);
    }
}
