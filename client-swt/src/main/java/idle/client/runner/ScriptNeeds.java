package idle.client.runner;

import idle.shared.model.JobNeeds;
import idle.shared.model.ModuleNeed;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The module needs of a script: its imports ({@link ImportScanner}) less the standard library,
 * less its own modules (itself, and its input files {@code x.py}), plus what was asked for
 * explicitly ({@code --needs "numpy>=1.24"}), which replaces a detected need of the same name.
 *
 * <p>The standard library is python 3.11's {@code sys.stdlib_module_names}, embedded as a
 * resource (not asked of a local python: the runner may have none, and lenders run 3.11 or
 * later, where the list hardly changes). A module the list names is never a need.
 *
 * <p>Stateless and thread-safe.
 */
public final class ScriptNeeds {
    private static final String STDLIB_RESOURCE = "python-stdlib-3.11.txt";
    private static final Set<String> STDLIB = loadStdlib();

    private ScriptNeeds() {
    }

    private static Set<String> loadStdlib() {
        try (InputStream in = ScriptNeeds.class.getResourceAsStream(STDLIB_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(STDLIB_RESOURCE + " is missing from the client");
            }
            Set<String> out = new HashSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String s = line.strip();
                if (!s.isEmpty() && !s.startsWith("#")) {
                    out.add(s);
                }
            }
            return Set.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code module} is in python 3.11's standard library. */
    public static boolean isStandardLibrary(String module) {
        return STDLIB.contains(module);
    }

    /**
     * The modules {@code script} needs from a lender: its required imports, in order, less the
     * standard library and the job's own modules. Names that cannot be needs (non-ASCII) are
     * left out: the script cannot run anywhere then, and says so itself.
     *
     * @param scriptName the script's file name, like {@code analyse.py}
     * @param inputNames the names of the job's input files
     */
    public static List<ModuleNeed> detect(String scriptName, byte[] script,
            Collection<String> inputNames) {
        // ISO-8859-1 never fails and keeps every ASCII character where it is, which is all an
        // import of a module that can be a need consists of
        String source = new String(script, StandardCharsets.ISO_8859_1);
        Set<String> own = new HashSet<>();
        own.add(stem(scriptName));
        for (String in : inputNames) {
            String lower = in.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".py") || lower.endsWith(".pyc") || lower.endsWith(".so")
                    || lower.endsWith(".zip")) {
                own.add(stem(in));
            }
        }
        List<ModuleNeed> out = new ArrayList<>();
        for (String m : ImportScanner.scan(source).required()) {
            if (!isStandardLibrary(m) && !own.contains(m) && ModuleNeed.isName(m)) {
                out.add(ModuleNeed.any(m));
            }
        }
        return out;
    }

    private static String stem(String fileName) {
        int dot = fileName.indexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /**
     * Parses {@code --needs} values.
     *
     * @throws IllegalArgumentException for a bad requirement, a name given twice, or a
     *     standard-library module, saying what to do
     */
    public static List<ModuleNeed> parseExplicit(List<String> texts) {
        Map<String, ModuleNeed> out = new LinkedHashMap<>();
        for (String t : texts) {
            ModuleNeed n;
            try {
                n = ModuleNeed.parse(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--needs " + e.getMessage());
            }
            if (isStandardLibrary(n.name())) {
                throw new IllegalArgumentException("--needs " + n.name() + ": it is in python's "
                        + "standard library, which every lender has");
            }
            if (out.put(n.name(), n) != null) {
                throw new IllegalArgumentException("--needs names " + n.name() + " twice; join "
                        + "the versions with a comma, like " + n.name() + ">=1.0,<2");
            }
        }
        return new ArrayList<>(out.values());
    }

    /**
     * The detected needs with the explicit ones added; an explicit need replaces a detected one
     * of the same name, where it was.
     *
     * @throws IllegalArgumentException when there are more than {@link JobNeeds#MAX_MODULES}
     */
    public static List<ModuleNeed> merge(List<ModuleNeed> detected, List<ModuleNeed> explicit) {
        Map<String, ModuleNeed> out = new LinkedHashMap<>();
        for (ModuleNeed n : detected) {
            out.put(n.name(), n);
        }
        for (ModuleNeed n : explicit) {
            out.put(n.name(), n);
        }
        if (out.size() > JobNeeds.MAX_MODULES) {
            throw new IllegalArgumentException(out.size() + " packages needed; a job may need at "
                    + "most " + JobNeeds.MAX_MODULES + " (pass --no-scan-imports and name the "
                    + "packages with --needs)");
        }
        return new ArrayList<>(out.values());
    }
}
