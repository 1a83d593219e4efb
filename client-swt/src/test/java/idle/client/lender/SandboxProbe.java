package idle.client.lender;

import idle.shared.model.InputFile;
import idle.shared.model.OutputFileInfo;
import idle.shared.model.StreamKind;
import idle.shared.protocol.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A lender in miniature, as a program: makes a {@link Sandbox} the way {@code idle lend} does and
 * runs one script in it, then prints what happened as {@code key=base64(value)} lines. The tests
 * start it as an unprivileged user ({@link LenderUser}) because some holes exist only for a lender
 * who is not root.
 *
 * <p>Arguments, each {@code key=base64(value)}: {@code dataDir}, {@code script} (the source),
 * optionally {@code workRoot}, {@code outputMb}, {@code timeout}, {@code input} (a file name;
 * its content is {@code "input"}) and {@code python} (the environment to lend and run in). Output keys: {@code workRoot}, {@code workDir},
 * {@code tmpdir} (its {@code java.io.tmpdir}), {@code startError}, {@code outcome}, {@code stdout}, {@code stderr}, {@code files},
 * {@code workDirLeft} ("true" when the work directory was still there after the cleanup).
 */
public final class SandboxProbe {
    private SandboxProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> in = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            in.put(a.substring(0, eq), decode(a.substring(eq + 1)));
        }
        LenderSettings s = LenderSettings.defaults(Path.of(in.get("dataDir")))
                .withLimits(2, 256, Integer.parseInt(in.getOrDefault("timeout", "20")),
                        Integer.parseInt(in.getOrDefault("outputMb", "4")))
                .withProcessLimits(32, 64);
        if (in.containsKey("workRoot")) {
            s = s.withWorkRoot(Path.of(in.get("workRoot")));
        }
        Map<String, String> out = new LinkedHashMap<>();
        Sandbox sandbox = Sandbox.create(s, PythonInterpreter.locate(in.containsKey("python")
                ? Path.of(in.get("python")) : null));
        out.put("workRoot", sandbox.workRoot().toString());
        out.put("tmpdir", System.getProperty("java.io.tmpdir"));
        List<InputFile> inputs = new ArrayList<>();
        if (in.containsKey("input")) {
            byte[] data = "input".getBytes(StandardCharsets.UTF_8);
            inputs.add(new InputFile(in.get("input"), data, Sha256.hex(data)));
        }
        RunSpec spec = new RunSpec("probe", "probe.py", in.get("script").getBytes(StandardCharsets.UTF_8),
                List.of(), inputs);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        SandboxRun run;
        try {
            run = sandbox.start(spec, (stream, data) -> {
                synchronized (stdout) {
                    (stream == StreamKind.STDOUT ? stdout : stderr).write(data);
                }
            });
        } catch (IOException e) {
            out.put("startError", String.valueOf(e.getMessage()));
            print(out);
            return;
        }
        out.put("workDir", run.workDir().toString());
        RunResult r = run.await(60, TimeUnit.SECONDS);
        if (r == null) {
            run.cancel();
            r = run.await(20, TimeUnit.SECONDS);
        }
        run.cleanup();
        sandbox.close();
        out.put("outcome", String.valueOf(r.outcome()));
        synchronized (stdout) {
            out.put("stdout", stdout.toString(StandardCharsets.UTF_8));
            out.put("stderr", stderr.toString(StandardCharsets.UTF_8));
        }
        out.put("files", String.join("\n", r.files().stream().map(OutputFileInfo::name).toList()));
        out.put("workDirLeft", String.valueOf(Files.exists(run.workDir(), LinkOption.NOFOLLOW_LINKS)));
        print(out);
    }

    private static void print(Map<String, String> out) {
        StringBuilder sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(k).append('=').append(encode(v)).append('\n'));
        System.out.print(sb);
        System.out.flush();
    }

    static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
