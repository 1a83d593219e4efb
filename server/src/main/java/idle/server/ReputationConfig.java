package idle.server;

/**
 * How lender accounts' records turn into standing, spot checks and priority. Part of
 * {@link ServerConfig} ({@link ServerConfig#reputation()}); read by
 * {@link idle.server.reputation.Reputation} and, for {@link #creditPriority}, the scheduler's
 * fair share.
 *
 * @param strikeLimit strikes (outvoted results, failed spot checks; see
 *     {@link idle.db.repository.LenderRecord#strikes()} for how they fade) at which an account
 *     gets only replicas of verified jobs, never a job alone; at least 1
 * @param trustAfter agreed results in a row since the last strike after which an account is
 *     trusted to run jobs alone (spot-checked); 0 trusts every account from the start
 * @param spotCheckRate the share of the jobs a trusted account runs alone in place of a default
 *     verification that are run again elsewhere to check, 0..1; 0 checks none
 * @param creditPriority W: how much a runner's lending credit weighs in the fair share; an
 *     owner's turns are in proportion to {@code 1 + W * min(credit hours, 10)}; 0 gives every
 *     owner equal turns
 */
public record ReputationConfig(int strikeLimit, int trustAfter, double spotCheckRate,
        double creditPriority) {
    public static final int DEFAULT_STRIKE_LIMIT = 3;
    public static final int DEFAULT_TRUST_AFTER = 20;
    public static final double DEFAULT_SPOT_CHECK_RATE = 0.05;
    public static final double DEFAULT_CREDIT_PRIORITY = 1.0;
    /** Credit hours beyond this add no priority: one rich account cannot starve the rest. */
    public static final double CREDIT_HOURS_CAP = 10.0;
    /** Largest {@link #creditPriority}: an owner's weight stays below 1 + 100 * 10. */
    public static final double MAX_CREDIT_PRIORITY = 100.0;

    public ReputationConfig {
        if (strikeLimit < 1) {
            throw new IllegalArgumentException("strikeLimit must be at least 1");
        }
        if (trustAfter < 0) {
            throw new IllegalArgumentException("trustAfter must not be negative");
        }
        if (!(spotCheckRate >= 0 && spotCheckRate <= 1)) {
            throw new IllegalArgumentException("spotCheckRate must be 0..1, not " + spotCheckRate);
        }
        if (!(creditPriority >= 0 && creditPriority <= MAX_CREDIT_PRIORITY)) {
            throw new IllegalArgumentException("creditPriority must be 0.." + MAX_CREDIT_PRIORITY
                    + ", not " + creditPriority);
        }
    }

    /** 3 strikes, trusted after 20 agreed results, 5 % spot checks, credit priority 1. */
    public static ReputationConfig defaults() {
        return new ReputationConfig(DEFAULT_STRIKE_LIMIT, DEFAULT_TRUST_AFTER,
                DEFAULT_SPOT_CHECK_RATE, DEFAULT_CREDIT_PRIORITY);
    }

    public ReputationConfig withStrikeLimit(int v) {
        return new ReputationConfig(v, trustAfter, spotCheckRate, creditPriority);
    }

    public ReputationConfig withTrustAfter(int v) {
        return new ReputationConfig(strikeLimit, v, spotCheckRate, creditPriority);
    }

    public ReputationConfig withSpotCheckRate(double v) {
        return new ReputationConfig(strikeLimit, trustAfter, v, creditPriority);
    }

    public ReputationConfig withCreditPriority(double v) {
        return new ReputationConfig(strikeLimit, trustAfter, spotCheckRate, v);
    }

    /**
     * The fair-share weight of an owner with {@code creditMillis} of credit:
     * {@code 1 + W * min(hours, 10)}, so at least 1 and at most {@code 1 + 10 W}.
     */
    public double weightOf(long creditMillis) {
        double hours = Math.max(0, creditMillis) / 3_600_000.0;
        return 1 + creditPriority * Math.min(hours, CREDIT_HOURS_CAP);
    }
}
