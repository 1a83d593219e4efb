package idle.client.cli;

import idle.client.net.ServerConnection;
import idle.client.net.UntrustedText;
import idle.client.runner.RunnerService;
import idle.shared.model.PoolModule;
import idle.shared.model.PoolStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code idle lenders [MODULE...]}: the pool at a glance, with the python packages it offers. */
@Command(name = "lenders", mixinStandardHelpOptions = true,
        description = {"Shows the pool: lenders online, free slots, jobs queued and running, and "
                + "the python packages online lenders offer, with their versions.",
            "Packages and versions are shown only when lenders of two or more people offer "
                    + "them, so that no single lender can be told apart; a package one lender "
                    + "alone has is not shown (a job needing it still runs there)."},
        footer = {"", "Exit status: 0; 1 when a MODULE asked for is not shown; 77 login failed; "
                + "69 server unreachable."})
final class LendersCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Parameters(paramLabel = "MODULE", arity = "0..*",
            description = "Show only these modules (all when none is given).")
    List<String> modules = new ArrayList<>();

    LendersCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
        PoolStatus pool;
        try (ServerConnection c = server.connect(ctx, "idle-cli/1.0")) {
            pool = new RunnerService(c).pool().get();
        }
        ctx.out().println(pool.lendersOnline() + (pool.lendersOnline() == 1 ? " lender" : " lenders")
                + " online, " + pool.freeSlots() + " free slots, " + pool.queuedJobs()
                + " jobs queued, " + pool.runningJobs() + " running");
        List<PoolModule> shown = new ArrayList<>();
        int exit = ExitCodes.OK;
        if (modules.isEmpty()) {
            shown.addAll(pool.modules());
        } else {
            for (String m : modules) {
                PoolModule pm = pool.module(m);
                if (pm == null) {
                    ctx.err().println("idle: " + UntrustedText.clean(m) + ": not offered by "
                            + "lenders of two or more people");
                    exit = ExitCodes.FAILURE;
                } else {
                    shown.add(pm);
                }
            }
        }
        if (modules.isEmpty()) {
            ctx.out().println(pool.modules().isEmpty()
                    ? "no python package is offered by lenders of two or more people"
                    : "python packages offered by lenders of two or more people:");
        }
        int width = shown.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        for (PoolModule p : shown) {
            ctx.out().println(UntrustedText.clean(String.format("%-" + Math.max(1, width) + "s  %3d %s  %s",
                    p.name(), p.lenders(), p.lenders() == 1 ? "lender " : "lenders",
                    String.join(", ", p.versions()))).stripTrailing());
        }
        return exit;
    }
}
