package idle.client.runner;

import idle.shared.model.ComparePart;
import idle.shared.model.InputFile;
import idle.shared.model.JobNeeds;
import idle.shared.model.ModuleNeed;
import idle.shared.model.Verification;
import idle.shared.model.WaitPolicy;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One python3 script to submit as a job, with its arguments and input files.
 *
 * @param scriptName the script's file name, as the runner and the lender see it
 * @param script the script's bytes
 * @param args command-line arguments passed to the script
 * @param inputs files placed next to the script in its working directory
 * @param needs what the job needs from a lender
 * @param waitPolicy queue when all lenders are busy, or answer NLA at once
 * @param verify replicas for a verified job (2 to {@value Verification#MAX_REPLICAS}), 1 for
 *     none, 0 for the server's default for this user
 * @param compare what the replicas' results must agree on (all parts when empty or all)
 */
public record JobRequest(String scriptName, byte[] script, List<String> args,
        List<InputFile> inputs, JobNeeds needs, WaitPolicy waitPolicy, int verify,
        Set<ComparePart> compare) {
    /** A request with the server's default verification. */
    public JobRequest(String scriptName, byte[] script, List<String> args,
            List<InputFile> inputs, JobNeeds needs, WaitPolicy waitPolicy) {
        this(scriptName, script, args, inputs, needs, waitPolicy, 0, ComparePart.ALL);
    }

    public JobRequest {
        if (verify < 0 || verify > Verification.MAX_REPLICAS) {
            throw new IllegalArgumentException("verify " + verify + ": a job runs on 1 to "
                    + Verification.MAX_REPLICAS + " lenders (0: the server's default)");
        }
        compare = compare.isEmpty() ? ComparePart.ALL : Set.copyOf(compare);
        Objects.requireNonNull(scriptName, "scriptName");
        Objects.requireNonNull(script, "script");
        args = List.copyOf(args);
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(needs, "needs");
        Objects.requireNonNull(waitPolicy, "waitPolicy");
        String why = FileNames.checkJobFiles(scriptName,
                inputs.stream().map(InputFile::name).toList());
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /** A script with no arguments, inputs or needs, queued when lenders are busy. */
    public static JobRequest of(String scriptName, String source) {
        return new JobRequest(scriptName, source.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                List.of(), List.of(), JobNeeds.NONE, WaitPolicy.QUEUE);
    }

    /** Reads a script and its input files from disk. */
    public static JobRequest fromFiles(Path script, List<Path> inputs, List<String> args,
            WaitPolicy waitPolicy) throws IOException {
        List<InputFile> in = new ArrayList<>();
        for (Path p : inputs) {
            byte[] data = Files.readAllBytes(p);
            in.add(new InputFile(p.getFileName().toString(), data, Sha256.hex(data)));
        }
        return new JobRequest(script.getFileName().toString(), Files.readAllBytes(script), args, in,
                JobNeeds.NONE, waitPolicy);
    }

    public JobRequest withArgs(List<String> newArgs) {
        return new JobRequest(scriptName, script, newArgs, inputs, needs, waitPolicy, verify,
                compare);
    }

    public JobRequest withInputs(List<InputFile> newInputs) {
        return new JobRequest(scriptName, script, args, newInputs, needs, waitPolicy, verify,
                compare);
    }

    public JobRequest withWaitPolicy(WaitPolicy policy) {
        return new JobRequest(scriptName, script, args, inputs, needs, policy, verify,
                compare);
    }

    /** This request verified by {@code replicas} lenders, comparing {@code parts}. */
    public JobRequest withVerify(int replicas, Set<ComparePart> parts) {
        return new JobRequest(scriptName, script, args, inputs, needs, waitPolicy, replicas,
                parts);
    }

    public JobRequest withNeeds(JobNeeds newNeeds) {
        return new JobRequest(scriptName, script, args, inputs, newNeeds, waitPolicy, verify,
                compare);
    }

    /**
     * This request with its module needs: those its script imports (when {@code scanImports};
     * see {@link ScriptNeeds#detect}) and the {@code explicit} ones, which win.
     *
     * @throws IllegalArgumentException when it would need more modules than a job may
     */
    public JobRequest withModuleNeeds(boolean scanImports, List<ModuleNeed> explicit) {
        List<ModuleNeed> detected = scanImports ? ScriptNeeds.detect(scriptName, script,
                inputs.stream().map(InputFile::name).toList()) : List.of();
        return withNeeds(needs.withModules(ScriptNeeds.merge(detected, explicit)));
    }

    /** The {@code RCS} message this request is sent as. */
    public idle.shared.message.Message.RunScript toMessage() {
        return new idle.shared.message.Message.RunScript(scriptName, script, scriptSha256(), args,
                inputs, needs, waitPolicy, verify, compare);
    }

    /** The total size of the input files' contents, in bytes. */
    public long inputBytes() {
        long n = 0;
        for (InputFile f : inputs) {
            n += f.data().length;
        }
        return n;
    }

    /** The SHA-256 of the script, as sent with it. */
    public String scriptSha256() {
        return Sha256.hex(script);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobRequest r && r.scriptName.equals(scriptName)
                && java.util.Arrays.equals(r.script, script) && r.args.equals(args)
                && r.inputs.equals(inputs) && r.needs.equals(needs) && r.waitPolicy == waitPolicy
                && r.verify == verify && r.compare.equals(compare);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scriptName, java.util.Arrays.hashCode(script), args, inputs, needs,
                waitPolicy);
    }

    @Override
    public String toString() {
        return "JobRequest[" + scriptName + ", " + script.length + "B, args=" + args + ", "
                + inputs.size() + " inputs, needs " + needs.modules() + ", " + waitPolicy
                + (verify == 0 ? "" : ", verify " + verify + " " + ComparePart.text(compare))
                + "]";
    }
}
