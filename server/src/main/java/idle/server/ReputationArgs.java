package idle.server;

import static idle.server.UsageCheck.require;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code server} command's lender-reputation options (a picocli mixin), read into a
 * {@link ReputationConfig}: strikes, trust, spot checks and the credit's weight in the fair share.
 */
final class ReputationArgs {
    @Option(names = "--strike-limit", paramLabel = "N", defaultValue = "3",
            description = "strikes (outvoted results, failed spot checks) at which a lender "
                    + "account only gets replicas of verified jobs; one fades per 50 agreed "
                    + "results in a row (default: ${DEFAULT-VALUE})")
    int strikeLimit;

    @Option(names = "--trust-after", paramLabel = "N", defaultValue = "20",
            description = "agreed results in a row after which a lender account may run "
                    + "defaulted verified jobs alone, spot-checked; 0 trusts every account (default: "
                    + "${DEFAULT-VALUE})")
    int trustAfter;

    @Option(names = "--spot-check", paramLabel = "RATE", defaultValue = "0.05",
            description = "share 0..1 of the jobs a trusted lender runs alone in place of "
                    + "a default verification that run on a second account all the same to "
                    + "check it; 0 checks none (default: ${DEFAULT-VALUE})")
    double spotCheck;

    @Option(names = "--credit-priority", paramLabel = "W", defaultValue = "1.0",
            description = "lend-to-earn: a runner's turns in the fair share are in proportion "
                    + "to 1 + W * (its lending credit in CPU hours, at most 10); 0 gives "
                    + "every runner equal turns (default: ${DEFAULT-VALUE})")
    double creditPriority;

    /**
     * The reputation rules these options ask for.
     *
     * @throws CommandLine.ParameterException when a value is out of its range
     */
    ReputationConfig resolve(CommandLine.Model.CommandSpec spec) {
        require(spec, strikeLimit >= 1, "--strike-limit must be at least 1");
        require(spec, trustAfter >= 0, "--trust-after must be 0 or more");
        require(spec, spotCheck >= 0 && spotCheck <= 1,
                "--spot-check must be a rate from 0 to 1, e.g. 0.05");
        require(spec, creditPriority >= 0
                && creditPriority <= ReputationConfig.MAX_CREDIT_PRIORITY,
                "--credit-priority must be 0.." + (int) ReputationConfig.MAX_CREDIT_PRIORITY);
        return new ReputationConfig(strikeLimit, trustAfter, spotCheck, creditPriority);
    }
}
