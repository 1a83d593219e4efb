package idle.client.lender.service;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to start this same client program again from a service: the command that comes before
 * {@code lend ...}. Installed from a package, that is the jpackage launcher (which the launcher
 * names in {@code jpackage.app-path}); run from {@code ./idle}, the java that runs now with the fat
 * jar; from a build's classes (tests), that java with this class path. Stateless.
 */
public final class ClientLauncher {
    static final String MAIN_CLASS = "idle.client.ClientMain";

    private ClientLauncher() {
    }

    /** The command (absolute program first) that starts this client with the arguments after it. */
    public static List<String> current() {
        String app = System.getProperty("jpackage.app-path");
        if (app != null && !app.isBlank() && Path.of(app).isAbsolute()) {
            return List.of(app);
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path codeSource = codeSource();
        if (codeSource != null && Files.isRegularFile(codeSource)) {
            return List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", codeSource.toString());
        }
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                Objects.requireNonNull(System.getProperty("java.class.path")), MAIN_CLASS);
    }

    private static Path codeSource() {
        try {
            var source = ClientLauncher.class.getProtectionDomain().getCodeSource();
            return source == null ? null : Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
