package idle.client.ui.model;

import idle.client.net.UntrustedText;
import idle.shared.model.ComparePart;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.ReplicaResult;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One replica of a verified job as a row of the side-by-side table: its cells as text, and which
 * parts of its result differ from the reference result (the first majority result, else the
 * first result), so the table can mark them. Every text that a lender could have chosen (its
 * pseudonym, file names, the difference lines that quote output) is cleaned of control and
 * bidi characters. Immutable; any thread.
 *
 * @param lender the lender's pseudonym
 * @param outcome "exit 0", "CPU time limit"
 * @param stdout the first characters of the stdout's SHA-256, "(empty)" for no bytes
 * @param stderr the same for stderr
 * @param files the files with the first characters of their SHA-256, or "none"
 * @param majority "yes" or "no"
 * @param differing the parts whose value differs from the reference's (compared or not)
 * @param differences the server's lines on how it differs, in compared parts
 */
public record ReplicaLine(String lender, String outcome, String stdout, String stderr,
        String files, String majority, Set<ComparePart> differing, List<String> differences) {
    /** Hex characters of a hash shown: enough to tell results apart at a glance. */
    public static final int HASH_CHARS = 10;
    /** SHA-256 of no bytes. */
    static final String EMPTY_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public ReplicaLine {
        differing = differing.isEmpty() ? Set.of() : Set.copyOf(differing);
        differences = List.copyOf(differences);
    }

    /** The rows for a job's replicas, in the order the server gave them. */
    public static List<ReplicaLine> of(List<ReplicaResult> replicas) {
        if (replicas.isEmpty()) {
            return List.of();
        }
        ReplicaResult reference = replicas.stream().filter(ReplicaResult::majority).findFirst()
                .orElse(replicas.get(0));
        List<ReplicaLine> out = new ArrayList<>();
        for (ReplicaResult r : replicas) {
            out.add(new ReplicaLine(UntrustedText.clean(r.lender()), UntrustedText.clean(r.outcome()),
                    hash(r.stdoutSha256()), hash(r.stderrSha256()), files(r.files()),
                    r.majority() ? "yes" : "no", differing(r, reference),
                    r.differences().stream().map(UntrustedText::clean).toList()));
        }
        return out;
    }

    /** The parts in which {@code r} differs from {@code reference}. */
    static Set<ComparePart> differing(ReplicaResult r, ReplicaResult reference) {
        EnumSet<ComparePart> d = EnumSet.noneOf(ComparePart.class);
        if (r.state() != reference.state() || !Objects.equals(r.exitCode(), reference.exitCode())
                || r.limit() != reference.limit()) {
            d.add(ComparePart.EXIT);
        }
        if (!r.stdoutSha256().equalsIgnoreCase(reference.stdoutSha256())) {
            d.add(ComparePart.STDOUT);
        }
        if (!r.stderrSha256().equalsIgnoreCase(reference.stderrSha256())) {
            d.add(ComparePart.STDERR);
        }
        if (!fileSet(r.files()).equals(fileSet(reference.files()))) {
            d.add(ComparePart.FILES);
        }
        return d;
    }

    private static Set<String> fileSet(List<OutputFileInfo> files) {
        return files.stream().map(f -> f.name() + "\0" + f.sha256().toLowerCase())
                .collect(Collectors.toSet());
    }

    /** "3f2a1c9b0d", or "(empty)" for the hash of no bytes. */
    static String hash(String sha256) {
        if (sha256.equalsIgnoreCase(EMPTY_SHA256)) {
            return "(empty)";
        }
        return UntrustedText.clean(sha256.length() <= HASH_CHARS ? sha256
                : sha256.substring(0, HASH_CHARS));
    }

    private static String files(List<OutputFileInfo> files) {
        if (files.isEmpty()) {
            return "none";
        }
        return files.stream().map(f -> UntrustedText.clean(f.name()) + " " + hash(f.sha256()))
                .collect(Collectors.joining(", "));
    }

    /** Its difference lines, each prefixed with the lender: for the text under the table. */
    public List<String> differenceLines() {
        return differences.stream().map(d -> "“" + lender + "”: " + d).toList();
    }
}
