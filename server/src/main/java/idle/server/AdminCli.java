package idle.server;

import idle.server.admin.LocalAdmin;
import idle.server.admin.RemoteAdmin;
import idle.server.admin.TerminalText;
import idle.server.net.ServerContext.AdminFailure;
import idle.server.store.DataDirLock;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The {@code admin} part of the server's command line: accounts, lenders, jobs and the audit log,
 * either on the data directory of a stopped server or through a running one as an admin account.
 * {@link ServerMain} holds the top command and {@code server}; exit codes are the same (0 done, 1
 * failed, 64 usage error).
 */
final class AdminCli {
    private AdminCli() {
    }

    @Command(name = "admin", mixinStandardHelpOptions = true,
            description = {"Administers a server: locally on its data directory while it is "
                    + "stopped (--data), or through a running server as an admin account "
                    + "(--server HOST:PORT --user ADMIN).",
                    "Passwords of new users: IDLE_PASSWORD, else --password-file, else a prompt. "
                    + "The admin's own password (with --server): IDLE_ADMIN_PASSWORD, else "
                    + "--admin-password-file, else a prompt."},
            subcommands = {User.class, Lenders.class, Jobs.class, Audit.class},
            exitCodeOnInvalidInput = 64, exitCodeOnExecutionException = 1)
    static final class Admin implements Callable<Integer> {
        @Option(names = "--data", paramLabel = "DIR",
                description = "data directory of a stopped server (default: ~/.idle/server)")
        Path data;

        @CommandLine.Mixin
        DatabaseArgs database;

        @Option(names = "--server", paramLabel = "HOST:PORT",
                description = "a running server to send the command to")
        String server;

        @Option(names = "--user", paramLabel = "ADMIN", description = "admin account (with --server)")
        String user;

        @Option(names = "--admin-password-file", paramLabel = "FILE",
                description = "file holding the admin's password (with --server)")
        Path adminPasswordFile;

        @Option(names = "--insecure-plaintext",
                description = "talk to a server that runs without TLS (with --server)")
        boolean insecurePlaintext;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("missing command: user, lenders, jobs or audit");
            spec.commandLine().usage(spec.commandLine().getErr());
            return ServerMain.USAGE;
        }

        int execute(CommandLine.Model.CommandSpec leaf, List<String> argv) {
            PrintWriter out = leaf.commandLine().getOut();
            PrintWriter err = leaf.commandLine().getErr();
            try {
                String text;
                if (server != null) {
                    if (data != null || database.given()) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "use either --data (and --db-url) or --server, not both");
                    }
                    int colon = server.lastIndexOf(':');
                    if (colon <= 0 || user == null) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "--server needs HOST:PORT and --user ADMIN");
                    }
                    int p;
                    try {
                        p = Integer.parseInt(server.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new CommandLine.ParameterException(leaf.commandLine(),
                                "bad port in --server " + server);
                    }
                    char[] pw = password("IDLE_ADMIN_PASSWORD", adminPasswordFile,
                            "Password of " + user + ": ", false);
                    if (insecurePlaintext) {
                        err.println("WARNING: --insecure-plaintext: the admin password and the "
                                + "command cross the network in clear.");
                        err.flush();
                    }
                    text = RemoteAdmin.run(server.substring(0, colon), p, user, pw, argv,
                            insecurePlaintext, err);
                } else {
                    Path dir = data != null ? data : ServerConfig.defaultDataDir();
                    text = LocalAdmin.run(dir, database.resolve(leaf, dir), argv);
                }
                out.println(text);
                out.flush();
                return 0;
            } catch (DataDirLock.BusyException e) {
                err.println("error: " + e.getMessage() + ". The server is running: stop it first,"
                        + " or use --server HOST:PORT --user ADMIN to go through it.");
                return 1;
            } catch (AdminFailure e) {
                err.println("error: " + TerminalText.text(e.getMessage()));
                return e.kind() == idle.shared.model.FailureKind.INVALID ? ServerMain.USAGE : 1;
            } catch (RemoteAdmin.RemoteFailure e) {
                err.println("error: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                err.println("error: " + e.getMessage());
                return 1;
            }
        }
    }

    /** IDLE_PASSWORD-style env var, else a file, else a prompt without echo. */
    static char[] password(String env, Path file, String prompt, boolean confirm) {
        String v = System.getenv(env);
        if (v != null && !v.isEmpty()) {
            return v.toCharArray();
        }
        if (file != null) {
            try {
                String s = Files.readString(file, StandardCharsets.UTF_8);
                s = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
                s = s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                return s.toCharArray();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        Console c = System.console();
        if (c == null) {
            throw new IllegalStateException("no password: set " + env + " or give a password "
                    + "file (there is no terminal to ask on)");
        }
        char[] a = c.readPassword("%s", prompt);
        if (confirm) {
            char[] b = c.readPassword("%s", "Again: ");
            if (!Arrays.equals(a, b)) {
                throw new IllegalStateException("the passwords differ");
            }
        }
        return a;
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "User accounts.",
            subcommands = {UserAdd.class, UserList.class, UserDisable.class, UserEnable.class,
                    UserPasswd.class, UserSetVerify.class}, exitCodeOnInvalidInput = 64)
    static final class User implements Callable<Integer> {
        @ParentCommand
        Admin admin;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("missing: add, list, disable, enable, passwd or "
                    + "set-verify");
            return ServerMain.USAGE;
        }

        /**
         * Runs {@code argv} with {@code --password} and the password from {@code file}, else
         * IDLE_PASSWORD, else asked twice on the terminal with {@code prompt}; the characters
         * are cleared once they are in the command.
         */
        int withPassword(CommandLine.Model.CommandSpec cmd, List<String> argv, Path file,
                String prompt) {
            char[] pw = password("IDLE_PASSWORD", file, prompt, true);
            argv.add("--password");
            argv.add(new String(pw));
            Arrays.fill(pw, '\0');
            return admin.execute(cmd, argv);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a user.",
            exitCodeOnInvalidInput = 64)
    static final class UserAdd implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--admin", description = "make it an admin account")
        boolean admin;
        @Option(names = "--password-file", paramLabel = "FILE")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new ArrayList<>(List.of("user", "add", name));
            if (admin) {
                argv.add("--admin");
            }
            return user.withPassword(spec, argv, passwordFile, "Password of " + name + ": ");
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true,
            description = "Sets a user's password.", exitCodeOnInvalidInput = 64)
    static final class UserPasswd implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--password-file", paramLabel = "FILE")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.withPassword(spec, new ArrayList<>(List.of("user", "passwd", name)),
                    passwordFile, "New password of " + name + ": ");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists users.",
            exitCodeOnInvalidInput = 64)
    static final class UserList implements Callable<Integer> {
        @ParentCommand
        User user;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "list"));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a user (no more logins).", exitCodeOnInvalidInput = 64)
    static final class UserDisable implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "disable", name));
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enables a user.",
            exitCodeOnInvalidInput = 64)
    static final class UserEnable implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(paramLabel = "NAME")
        String name;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "enable", name));
        }
    }

    @Command(name = "set-verify", mixinStandardHelpOptions = true,
            description = "Sets how many lenders of different accounts run a user's jobs when "
                    + "the runner names no --verify (1 to 7; 0: the server's --verify-default).",
            exitCodeOnInvalidInput = 64)
    static final class UserSetVerify implements Callable<Integer> {
        @ParentCommand
        User user;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "N")
        String replicas;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return user.admin.execute(spec, List.of("user", "set-verify", name, replicas));
        }
    }

    @Command(name = "lenders", mixinStandardHelpOptions = true,
            description = {"Every lender account's standing, results and credit, and the "
                    + "lenders online (with --server).",
                    "lenders suspend NAME: the account's offers are refused and its lenders "
                            + "get no new jobs; lenders resume NAME undoes it."},
            exitCodeOnInvalidInput = 64)
    static final class Lenders implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @Parameters(arity = "0..2", paramLabel = "suspend|resume NAME")
        List<String> words = List.of();
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new java.util.ArrayList<>(List.of("lenders"));
            argv.addAll(words);
            return admin.execute(spec, argv);
        }
    }

    @Command(name = "jobs", mixinStandardHelpOptions = true,
            description = "All jobs, newest first.", exitCodeOnInvalidInput = 64)
    static final class Jobs implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @Option(names = "--state", paramLabel = "STATE") String state;
        @Option(names = "--user", paramLabel = "NAME") String user;
        @Option(names = "--name", paramLabel = "TEXT", description = "script name contains")
        String name;
        @Option(names = "--before", paramLabel = "ID") Long before;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50") int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new ArrayList<>(List.of("jobs", "--limit",
                    Integer.toString(limit)));
            add(argv, "--state", state);
            add(argv, "--user", user);
            add(argv, "--name", name);
            add(argv, "--before", before == null ? null : before.toString());
            return admin.execute(spec, argv);
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "The audit log (newest rows), or --verify its hash chain.",
            exitCodeOnInvalidInput = 64)
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        Admin admin;
        @Option(names = "--since", paramLabel = "TIME",
                description = "2026-11-28, '2026-11-28 09:00', an ISO instant, or 30m/2h/7d")
        String since;
        @Option(names = "--user", paramLabel = "NAME") String user;
        @Option(names = "--csv") boolean csv;
        @Option(names = "--verify", description = "check the hash chain") boolean verify;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "1000") int limit;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<String> argv = new ArrayList<>(List.of("audit", "--limit",
                    Integer.toString(limit)));
            add(argv, "--since", since);
            add(argv, "--user", user);
            if (csv) {
                argv.add("--csv");
            }
            if (verify) {
                argv.add("--verify");
            }
            return admin.execute(spec, argv);
        }
    }

    private static void add(List<String> argv, String opt, String v) {
        if (v != null) {
            argv.add(opt);
            argv.add(v);
        }
    }
}
