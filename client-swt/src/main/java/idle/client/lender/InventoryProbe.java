package idle.client.lender;

import idle.shared.model.Distribution;
import idle.shared.model.JobOutcome;
import idle.shared.model.ModuleNeed;
import idle.shared.model.PythonEnvironment;
import idle.shared.model.StreamKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What an environment offers, as a job there sees it: a small python script, run in the sandbox
 * like any job, prints the python version, the importable top-level modules outside the standard
 * library ({@code pkgutil.iter_modules} over {@code sys.path}) and the installed distributions
 * with their versions and the modules each provides ({@code importlib.metadata}). This class
 * holds the script and reads its output, strictly: a line it does not understand, a name that
 * cannot be one, a version it cannot carry, is left out and counted, and the lists are cut to
 * what {@link PythonEnvironment} allows (the first names in order), so no environment can make
 * the lender's {@code MML} too large. Stateless.
 */
final class InventoryProbe {
    private static final Logger LOG = Logger.getLogger(InventoryProbe.class.getName());
    /**
     * The probe script; one line per fact: "V version", "P directory searched", "M module",
     * "D name TAB version TAB modules".
     */
    static final String SCRIPT = """
            import os, sys, pkgutil, sysconfig
            std = set(getattr(sys, 'stdlib_module_names', ())) | set(sys.builtin_module_names)
            here = os.path.dirname(os.path.abspath(__file__))
            # the standard library's own directories also hold tests and private helpers
            base = {'base': sys.base_prefix, 'platbase': sys.base_exec_prefix,
                    'installed_base': sys.base_prefix, 'installed_platbase': sys.base_exec_prefix}
            paths = sysconfig.get_paths(vars=base)
            stddirs = {os.path.realpath(paths[k]) for k in ('stdlib', 'platstdlib')}
            def site(p):
                if not p or p == here or p.endswith('.zip'):
                    return False
                parts = p.split(os.sep)
                if 'site-packages' in parts or 'dist-packages' in parts:
                    return True
                r = os.path.realpath(p)
                return not any(r == d or r.startswith(d + os.sep) for d in stddirs)
            print('V %d.%d.%d' % sys.version_info[:3])
            dirs = [p for p in sys.path if site(p)]
            for p in dirs:
                print('P ' + p)
            mods = set()
            for m in pkgutil.iter_modules(dirs):
                mods.add(m.name)
            mods -= std
            for name in sorted(mods):
                print('M ' + name)
            try:
                from importlib import metadata
            except ImportError:
                metadata = None
            if metadata is not None:
                tops = {}
                try:
                    for mod, dists in metadata.packages_distributions().items():
                        for d in dists:
                            tops.setdefault(d, set()).add(mod)
                except Exception:
                    pass
                seen = set()
                for d in metadata.distributions():
                    try:
                        name = d.metadata['Name']
                        version = d.version or ''
                    except Exception:
                        continue
                    if not name or name in seen:
                        continue
                    seen.add(name)
                    provided = sorted(m for m in tops.get(name, ()) if m in mods)
                    print('D %s\\t%s\\t%s' % (name, version, ' '.join(provided)))
            """;

    private InventoryProbe() {
    }

    /**
     * Runs the probe in {@code env}, in {@code sandbox} like a job, and reads its output.
     *
     * @throws SandboxException when it cannot run, fails, or prints no version
     */
    static Inventory run(Sandbox sandbox, LenderEnvironment env) throws SandboxException {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        RunResult r;
        try {
            SandboxRun run = sandbox.start(new RunSpec("inventory", "idle_inventory.py",
                    SCRIPT.getBytes(StandardCharsets.UTF_8), List.of(), List.of(), env.index()),
                    (stream, data) -> {
                        synchronized (out) {
                            (stream == StreamKind.STDOUT ? out : err)
                                    .append(new String(data, StandardCharsets.UTF_8));
                        }
                    });
            try {
                r = run.await(60, TimeUnit.SECONDS);
            } finally {
                run.cleanup();
            }
        } catch (IOException e) {
            throw new SandboxException("the sandbox cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while asking environment " + (env.index() + 1)
                    + " what it offers");
        }
        String what = "environment " + (env.index() + 1) + " (python at "
                + env.python().executable() + ")";
        synchronized (out) {
            if (r == null || !(r.outcome() instanceof JobOutcome.Succeeded)) {
                throw new SandboxException(what + " does not work in the sandbox ("
                        + (r == null ? "no answer in 60 s" : r.outcome()) + "): " + tail(err));
            }
            try {
                Inventory inv = parse(out.toString());
                if (inv.leftOut() > 0) {
                    LOG.info(() -> what + ": " + inv.leftOut() + " entries of its inventory left "
                            + "out (unreadable, or over the limits of an offer)");
                }
                return inv;
            } catch (IllegalArgumentException e) {
                throw new SandboxException(what + ": " + e.getMessage() + "; " + tail(err));
            }
        }
    }

    private static String tail(CharSequence s) {
        String t = s.toString().strip();
        return t.length() > 500 ? "…" + t.substring(t.length() - 500) : t;
    }

    /** Most package directories kept (a {@code sys.path} of more is unusual). */
    static final int MAX_DIRS = 64;

    /**
     * What {@link #parse} made of the output, and how much it left out.
     *
     * @param siteDirs the directories searched for modules, as the job sees them (absolute)
     */
    record Inventory(PythonEnvironment environment, List<String> siteDirs, int leftOut) {
        Inventory {
            siteDirs = List.copyOf(siteDirs);
        }
    }

    /**
     * Reads the probe's output.
     *
     * @throws IllegalArgumentException when it has no version line (the probe did not run)
     */
    static Inventory parse(String output) {
        String version = null;
        Set<String> modules = new TreeSet<>();
        record Dist(String name, String version, List<String> modules) {
        }
        Map<String, Dist> dists = new LinkedHashMap<>();
        List<String> siteDirs = new ArrayList<>();
        int bad = 0;
        for (String line : output.split("\n")) {
            if (line.startsWith("V ") && version == null
                    && line.substring(2).strip().matches("3\\.\\d{1,3}\\.\\d{1,3}")) {
                version = line.substring(2).strip();
            } else if (line.startsWith("P /") && line.length() < 4096 && siteDirs.size() < MAX_DIRS
                    && line.indexOf('\0') < 0) {
                siteDirs.add(line.substring(2));
            } else if (line.startsWith("M ") && ModuleNeed.isName(line.substring(2))) {
                modules.add(line.substring(2));
            } else if (line.startsWith("D ")) {
                String[] f = line.substring(2).split("\t", -1);
                if (f.length != 3 || !ModuleNeed.isName(f[0]) || dists.containsKey(f[0])) {
                    bad++;
                    continue;
                }
                String v = Distribution.isVersion(f[1]) ? f[1] : "";
                List<String> provided = f[2].isEmpty() ? List.of() : List.of(f[2].split(" "));
                dists.put(f[0], new Dist(f[0], v, provided));
            } else if (!line.isBlank()) {
                bad++;
            }
        }
        if (version == null) {
            throw new IllegalArgumentException("the probe printed no python version");
        }
        List<String> keptModules = new ArrayList<>(modules);
        if (keptModules.size() > PythonEnvironment.MAX_MODULES) {
            bad += keptModules.size() - PythonEnvironment.MAX_MODULES;
            keptModules = keptModules.subList(0, PythonEnvironment.MAX_MODULES);
        }
        Set<String> known = new HashSet<>(keptModules);
        List<Distribution> keptDists = new ArrayList<>();
        int refs = 0;
        List<Dist> sorted = new ArrayList<>(dists.values());
        sorted.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
        for (Dist d : sorted) {
            if (keptDists.size() == PythonEnvironment.MAX_DISTRIBUTIONS) {
                bad++;
                continue;
            }
            List<String> provided = new ArrayList<>();
            for (String m : new TreeSet<>(d.modules())) {
                if (known.contains(m) && refs < PythonEnvironment.MAX_MODULES) {
                    provided.add(m);
                    refs++;
                }
            }
            keptDists.add(new Distribution(d.name(), d.version(), provided));
        }
        return new Inventory(new PythonEnvironment(version, keptModules, keptDists), siteDirs, bad);
    }
}
