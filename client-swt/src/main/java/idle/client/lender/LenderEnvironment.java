package idle.client.lender;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One python environment this lender lends, as the sandbox runs it: the interpreter on this
 * machine, and where a job sees it. An environment under /usr is used where it is (the sandbox
 * shows /usr read-only); any other is a neutral copy ({@link EnvironmentMirror}) bound read-only
 * at {@code /idle/env/N} (N = index + 1), its interpreter run by its path there, so that
 * {@code sys.prefix} is that directory and nothing of the lender's own paths shows.
 *
 * @param index its place in the lender's offer (the {@code EXF} names it)
 * @param python the interpreter on this machine
 * @param mirror the neutral copy bound into the sandbox; null for an environment under /usr, or
 *     without the sandbox (then the interpreter runs where it is)
 * @param sandboxPath where the copy is bound in the sandbox; null when there is no copy
 * @param command the interpreter's path as the job's process starts it
 */
public record LenderEnvironment(int index, PythonInterpreter python, EnvironmentMirror mirror,
        String sandboxPath, String command) {
    /** The directory environments outside /usr are bound under, in the sandbox. */
    static final String SANDBOX_ROOT = "/idle/env/";

    public LenderEnvironment {
        Objects.requireNonNull(python);
        Objects.requireNonNull(command);
    }

    /** An environment run where it is (under /usr, or without the sandbox). */
    static LenderEnvironment inPlace(int index, PythonInterpreter python) {
        return new LenderEnvironment(index, python, null, null, python.executable().toString());
    }

    /** An environment whose copy {@code mirror} is bound at {@code /idle/env/(index+1)}. */
    static LenderEnvironment mirrored(int index, PythonInterpreter python, EnvironmentMirror mirror) {
        String at = neutralPath(index);
        Path rel = python.prefix().relativize(python.executable());
        return new LenderEnvironment(index, python, mirror, at, at + "/" + rel);
    }

    static String neutralPath(int index) {
        return SANDBOX_ROOT + (index + 1);
    }

    /** For people: "python 3.11.2 at /usr/bin/python3.11" or "... (bound at /idle/env/2)". */
    public String describe() {
        return "python " + python.version() + " at " + python.executable()
                + (sandboxPath == null ? "" : " (a copy bound at " + sandboxPath + " in the sandbox)");
    }
}
