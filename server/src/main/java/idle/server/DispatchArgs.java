package idle.server;

import static idle.server.UsageCheck.require;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code server} command's dispatch options (a picocli mixin), read into
 * {@link DispatchLimits}: what one account may queue and lend, the script cache, verification.
 */
final class DispatchArgs {
    @Option(names = "--max-queued-per-user", paramLabel = "N", defaultValue = "10000",
            description = "jobs one account may have queued or running; more are refused "
                    + "(default: ${DEFAULT-VALUE})")
    int maxQueuedPerUser;

    @Option(names = "--max-lenders-per-user", paramLabel = "N", defaultValue = "4",
            description = "lender connections one account may have at once (each gets "
                    + "--max-slots-per-lender at most) (default: ${DEFAULT-VALUE})")
    int maxLendersPerUser;

    @Option(names = "--script-cache", paramLabel = "MIB", defaultValue = "64",
            description = "MiB of queued jobs' scripts kept in memory; the rest wait in the "
                    + "database (default: ${DEFAULT-VALUE})")
    int scriptCacheMib;

    @Option(names = "--verify-default", paramLabel = "N", defaultValue = "1",
            description = "replicas of a job whose runner and user ask for no number: it "
                    + "runs on N lenders of different accounts and a majority must agree; "
                    + "1 runs it once (default: ${DEFAULT-VALUE})")
    int verifyDefault;

    @Option(names = "--verify-max-replicas", paramLabel = "N", defaultValue = "0",
            description = "most replicas of one verified job when results disagree, 2 to 7; "
                    + "0: the replicas asked for + 2 (default: ${DEFAULT-VALUE})")
    int verifyMaxReplicas;

    /**
     * The dispatch limits these options ask for.
     *
     * @throws CommandLine.ParameterException when a value is out of its range
     */
    DispatchLimits resolve(CommandLine.Model.CommandSpec spec) {
        require(spec, maxQueuedPerUser >= 1, "--max-queued-per-user must be at least 1");
        require(spec, maxLendersPerUser >= 1, "--max-lenders-per-user must be at least 1");
        require(spec, scriptCacheMib >= 0, "--script-cache must be 0 or more MiB");
        VerifyPolicy verify;
        try {
            verify = new VerifyPolicy(verifyDefault, verifyMaxReplicas);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return DispatchLimits.defaults().withMaxQueuedPerUser(maxQueuedPerUser)
                .withMaxLendersPerUser(maxLendersPerUser)
                .withScriptCacheBytes((long) scriptCacheMib << 20).withVerify(verify);
    }
}
