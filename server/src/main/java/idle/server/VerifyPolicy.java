package idle.server;

import idle.shared.model.Verification;

/**
 * How the server verifies jobs by default (part of {@link DispatchLimits}).
 *
 * @param defaultReplicas replicas of a job whose runner asked for the default and whose user
 *     has none set ({@code --verify-default}, 1 to 7; 1: not verified)
 * @param maxReplicas most replicas one vote makes before the job ends UNVERIFIED
 *     ({@code --verify-max-replicas}, 2 to 7), or 0 for N + 2 (never over 7)
 */
public record VerifyPolicy(int defaultReplicas, int maxReplicas) {
    public VerifyPolicy {
        if (defaultReplicas < 1 || defaultReplicas > Verification.MAX_REPLICAS) {
            throw new IllegalArgumentException("--verify-default " + defaultReplicas
                    + ": a job runs on 1 to " + Verification.MAX_REPLICAS + " lenders");
        }
        if (maxReplicas != 0 && (maxReplicas < 2 || maxReplicas > Verification.MAX_REPLICAS)) {
            throw new IllegalArgumentException("--verify-max-replicas " + maxReplicas
                    + ": 2 to " + Verification.MAX_REPLICAS);
        }
    }

    /** Jobs run once unless asked; votes grow to N + 2 replicas at most. */
    public static VerifyPolicy defaults() {
        return new VerifyPolicy(1, 0);
    }

    /** The most replicas a vote of {@code asked} replicas makes (at least {@code asked}). */
    public int maxFor(int asked) {
        int m = maxReplicas == 0 ? asked + 2 : maxReplicas;
        return Math.max(asked, Math.min(m, Verification.MAX_REPLICAS));
    }
}
