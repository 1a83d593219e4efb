package idle.client.ui.views;

import idle.client.ui.Background;
import idle.client.ui.Sessions;
import idle.client.ui.SettingsStore;
import idle.client.ui.UiThread;
import idle.client.ui.model.JobTexts;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.lender.service.UserServiceInstaller;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.LenderListener;
import idle.client.ui.service.LenderSettings;
import idle.client.ui.service.Lending;
import idle.client.ui.service.ServiceException;
import idle.shared.model.LenderCredit;
import idle.shared.model.LenderStanding;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.window.Window;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;

/**
 * "Become IDLEr": one toggle to start and stop lending this machine, the limits, what the sandbox
 * allows, and a live log of the requests served here with jobs served and CPU time lent. Start
 * and stop run on a worker; the lender's events arrive on service threads and are shown through
 * {@link UiThread}. UI thread only.
 */
public final class LenderView {
    /** Lines the live log keeps. */
    public static final int LOG_LINES = 2000;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Composite root;
    private final Button toggle;
    private final Label toggleNote;
    private final Spinner maxJobs;
    private final Spinner cpuSeconds;
    private final Spinner memoryMb;
    private final Spinner timeoutSeconds;
    private final Button onlyWhenIdle;
    private final Button backgroundService;
    private UserServiceInstaller serviceInstaller = UserServiceInstaller.forThisUser(System::getenv,
            idle.client.lender.LenderSettings.defaultDataDir());
    private final Label sandbox;
    private final Label counters;
    /** The account's credit and standing as the server last told it (CRD). */
    private final Label credit;
    /** Shown for a standing that limits this account's work (replicas only, suspended). */
    private final Color warning;
    private final StyledText log;
    private final UiThread ui;
    private final Background background;
    private final Sessions sessions;
    private final SettingsStore settings;
    private final Consumer<Boolean> lendingChanged;
    private Lending lending;
    private boolean busy;
    private boolean on;
    private int served;
    private int running;
    private long cpuMillis;
    private String pseudonym = "";

    /** @param lendingChanged told (UI thread) whenever lending turns on or off, for the status line */
    public LenderView(Composite parent, UiThread ui, Background background, Sessions sessions,
            SettingsStore settings, IdleResources resources, Consumer<Boolean> lendingChanged) {
        this.ui = ui;
        this.background = background;
        this.sessions = sessions;
        this.settings = settings;
        this.lendingChanged = lendingChanged;
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(2, false));

        Label title = new Label(root, SWT.NONE);
        title.setText("Become IDLEr");
        title.setFont(resources.heading());
        GridDataFactory.fillDefaults().span(2, 1).applyTo(title);
        Label intro = new Label(root, SWT.WRAP);
        intro.setText("Lend this computer's spare power: IDLE runs other people's python3 scripts here, "
                + "inside a sandbox and within the limits you set. They never learn who you are.");
        GridDataFactory.fillDefaults().span(2, 1).grab(true, false).hint(500, SWT.DEFAULT).applyTo(intro);

        Composite left = new Composite(root, SWT.NONE);
        GridLayout ll = new GridLayout(1, false);
        ll.marginWidth = 0;
        left.setLayout(ll);
        left.setLayoutData(new GridData(SWT.FILL, SWT.TOP, false, true));

        Composite toggleRow = new Composite(left, SWT.NONE);
        GridLayout trl = new GridLayout(2, false);
        trl.marginWidth = 0;
        toggleRow.setLayout(trl);
        toggle = new Button(toggleRow, SWT.TOGGLE);
        toggle.setImage(resources.image(Icons.LEND));
        toggle.setFont(resources.bold());
        toggle.setText("Start lending");
        GridDataFactory.fillDefaults().hint(170, SWT.DEFAULT).applyTo(toggle);
        toggleNote = new Label(toggleRow, SWT.NONE);
        toggleNote.setText("Not lending.");
        toggleNote.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        Group limits = new Group(left, SWT.NONE);
        limits.setText("Limits for each job");
        limits.setLayout(new GridLayout(2, false));
        limits.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        int cores = Runtime.getRuntime().availableProcessors();
        maxJobs = spinner(limits, "Jobs at once:", 1, Math.max(1, cores), settings.getInt("lender.maxJobs", 1));
        cpuSeconds = spinner(limits, "CPU seconds:", 1, 86_400, settings.getInt("lender.cpuSeconds", 60));
        memoryMb = spinner(limits, "Memory (MiB):", 32, 65_536, settings.getInt("lender.memoryMb", 512));
        timeoutSeconds = spinner(limits, "Timeout (seconds):", 1, 86_400, settings.getInt("lender.timeoutSeconds", 120));
        onlyWhenIdle = new Button(limits, SWT.CHECK);
        onlyWhenIdle.setText("Only while I leave this computer idle");
        onlyWhenIdle.setSelection(settings.getBoolean("lender.onlyWhenIdle", false));
        GridDataFactory.fillDefaults().span(2, 1).applyTo(onlyWhenIdle);
        backgroundService = new Button(limits, SWT.CHECK);
        backgroundService.setText("Lend when idle, also after I log out");
        backgroundService.setToolTipText("A background service (systemd user unit " + UserServiceInstaller.UNIT_NAME
                + ") lends with these limits whenever this computer is idle, logged in or not. Untick to remove it.");
        backgroundService.setSelection(serviceInstaller.isInstalled());
        GridDataFactory.fillDefaults().span(2, 1).applyTo(backgroundService);
        backgroundService.addListener(SWT.Selection, e -> backgroundServiceClicked());

        Composite right = new Composite(root, SWT.NONE);
        GridLayout rl = new GridLayout(1, false);
        rl.marginWidth = 0;
        right.setLayout(rl);
        right.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        Group box = new Group(right, SWT.NONE);
        box.setText("What the sandbox allows");
        box.setLayout(new GridLayout(1, false));
        box.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        sandbox = new Label(box, SWT.WRAP);
        sandbox.setText("Log in to see the sandbox of this computer.");
        GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(sandbox);

        Group served = new Group(right, SWT.NONE);
        served.setText("Requests served by this computer");
        served.setLayout(new GridLayout(1, false));
        served.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        counters = new Label(served, SWT.NONE);
        counters.setFont(resources.bold());
        counters.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        credit = new Label(served, SWT.NONE);
        warning = resources.warningForeground();
        credit.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        log = new StyledText(served, SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL | SWT.READ_ONLY);
        log.setFont(resources.mono());
        log.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        showCounters();

        toggle.addListener(SWT.Selection, e -> setLending(toggle.getSelection()));
        sessions.addListener(s -> {
            lending = s == null ? null : s.lending();
            describeSandbox();
            if (s == null && on) {
                stopped(null);
            }
            toggle.setEnabled(s != null);
        });
        toggle.setEnabled(false);
    }

    /** Shows what the sandbox allows with the current limits (probed on a worker). */
    private void describeSandbox() {
        Lending l = lending;
        if (l == null) {
            sandbox.setText("Log in to see the sandbox of this computer.");
            root.layout(true, true);
            return;
        }
        LenderSettings chosen = currentSettings();
        background.run(sandbox, () -> l.sandboxDescription(chosen), text -> {
            sandbox.setText(text);
            root.layout(true, true);
        }, failure -> sandbox.setText(idle.client.ui.UserMessages.describe(failure)));
    }

    private Spinner spinner(Composite parent, String label, int min, int max, int value) {
        new Label(parent, SWT.NONE).setText(label);
        Spinner s = new Spinner(parent, SWT.BORDER);
        s.setMinimum(min);
        s.setMaximum(max);
        s.setSelection(Math.max(min, Math.min(max, value)));
        GridDataFactory.fillDefaults().hint(90, SWT.DEFAULT).applyTo(s);
        s.addListener(SWT.Selection, e -> describeSandboxSoon());
        return s;
    }

    private int describeGeneration;

    private void describeSandboxSoon() {
        int gen = ++describeGeneration;
        root.getDisplay().timerExec(500, () -> {
            if (gen == describeGeneration && !root.isDisposed()) {
                describeSandbox();
            }
        });
    }

    public Composite control() {
        return root;
    }

    public Button toggle() {
        return toggle;
    }

    public boolean isLending() {
        return on;
    }

    public int served() {
        return served;
    }

    public String logText() {
        return log.getText();
    }

    /** The credit line (empty until the server told this account's record). */
    public String creditText() {
        return credit.getText();
    }

    public String countersText() {
        return counters.getText();
    }

    public LenderSettings currentSettings() {
        return new LenderSettings(maxJobs.getSelection(), cpuSeconds.getSelection(), memoryMb.getSelection(),
                timeoutSeconds.getSelection(), onlyWhenIdle.getSelection());
    }

    /** Starts or stops lending (the toggle and the menu action both come here). */
    public void setLending(boolean wanted) {
        if (busy || wanted == on) {
            toggle.setSelection(on);
            return;
        }
        Lending l = lending;
        if (l == null) {
            toggle.setSelection(false);
            toggleNote.setText("Log in first.");
            return;
        }
        busy = true;
        toggle.setEnabled(false);
        setLimitsEnabled(false);
        if (wanted) {
            LenderSettings chosen = currentSettings();
            saveSettings(chosen);
            toggleNote.setText("Starting…");
            line("Starting to lend: " + chosen.maxJobs() + " job(s) at once, " + chosen.cpuSeconds()
                    + " CPU s, " + chosen.memoryMb() + " MiB, " + chosen.timeoutSeconds() + " s timeout"
                    + (chosen.onlyWhenIdle() ? ", only when idle" : ""));
            background.run(root, "Start lending", true, () -> {
                l.start(chosen, new ViewListener());
                return Boolean.TRUE;
            }, ok -> {
                busy = false;
                on = true;
                afterToggle();
            }, () -> {
                busy = false;
                on = false;
                line("Could not start lending.");
                afterToggle();
            });
        } else {
            toggleNote.setText("Stopping…");
            background.run(root, "Stop lending", true, () -> {
                l.stop();
                return Boolean.TRUE;
            }, ok -> {
                busy = false;
                if (on) {
                    stopped(null);
                }
            }, () -> {
                busy = false;
                afterToggle();
            });
        }
    }

    public Button backgroundServiceButton() {
        return backgroundService;
    }

    /** Which installer the background-service switch uses (tests point it at a temporary folder). */
    public void useServiceInstaller(UserServiceInstaller installer) {
        serviceInstaller = installer;
        backgroundService.setSelection(installer.isInstalled());
    }

    /** The switch: the service logs in on its own, so turning it on asks for the password. */
    private void backgroundServiceClicked() {
        ClientSession s = sessions.current();
        if (!backgroundService.getSelection()) {
            setBackgroundService(false, null);
            return;
        }
        if (s == null) {
            backgroundService.setSelection(false);
            toggleNote.setText("Log in first.");
            return;
        }
        InputDialog ask = new InputDialog(root.getShell(), "Lend in the background",
                "The service logs in to " + s.server() + " as " + s.user() + " by itself.\n"
                        + "Your password (kept in a file only you can read):", "",
                v -> v.isEmpty() ? "Enter your password." : null) {
            @Override
            protected int getInputTextStyle() {
                return SWT.SINGLE | SWT.BORDER | SWT.PASSWORD;
            }
        };
        if (ask.open() != Window.OK) {
            backgroundService.setSelection(false);
            return;
        }
        setBackgroundService(true, ask.getValue().toCharArray());
    }

    /**
     * Installs (logged-in server and user, the limits shown, only when idle) or removes the
     * background lender service, on a worker; the outcome goes to the log. UI thread.
     */
    public void setBackgroundService(boolean wanted, char[] password) {
        ClientSession s = sessions.current();
        UserServiceInstaller installer = serviceInstaller;
        if (wanted && (s == null || password == null)) {
            backgroundService.setSelection(installer.isInstalled());
            return;
        }
        LenderSettings l = currentSettings();
        List<String> args = wanted ? List.of("--server", s.server(), "--user", s.user(),
                "--max-jobs", String.valueOf(l.maxJobs()), "--cpu-seconds", String.valueOf(l.cpuSeconds()),
                "--memory-mb", String.valueOf(l.memoryMb()), "--timeout", String.valueOf(l.timeoutSeconds()),
                "--when-idle") : List.of();
        backgroundService.setEnabled(false);
        background.run(backgroundService, () -> {
            try {
                return wanted ? installer.install(args, password, 30) : installer.uninstall();
            } finally {
                if (password != null) {
                    java.util.Arrays.fill(password, '\0');
                }
            }
        }, outcome -> {
            outcome.messages().forEach(this::line);
            backgroundService.setEnabled(true);
            backgroundService.setSelection(installer.isInstalled());
        }, failure -> {
            line("The background service: " + idle.client.ui.UserMessages.describe(failure));
            backgroundService.setEnabled(true);
            backgroundService.setSelection(installer.isInstalled());
        });
    }

    private void afterToggle() {
        toggle.setEnabled(lending != null);
        toggle.setSelection(on);
        toggle.setText(on ? "Stop lending" : "Start lending");
        toggleNote.setText(on ? "Lending." : "Not lending.");
        showCounters();
        setLimitsEnabled(!on);
        toggle.getParent().layout();
        lendingChanged.accept(on);
    }

    private void stopped(ServiceException error) {
        on = false;
        running = 0;
        if (error != null) {
            line("Lending stopped: " + error.getMessage());
        }
        showCounters();
        afterToggle();
    }

    private void setLimitsEnabled(boolean enabled) {
        for (var c : new org.eclipse.swt.widgets.Control[] {maxJobs, cpuSeconds, memoryMb, timeoutSeconds, onlyWhenIdle}) {
            c.setEnabled(enabled);
        }
    }

    private void saveSettings(LenderSettings s) {
        settings.putInt("lender.maxJobs", s.maxJobs());
        settings.putInt("lender.cpuSeconds", s.cpuSeconds());
        settings.putInt("lender.memoryMb", s.memoryMb());
        settings.putInt("lender.timeoutSeconds", s.timeoutSeconds());
        settings.putBoolean("lender.onlyWhenIdle", s.onlyWhenIdle());
        background.runQuietly("save lender settings", () -> {
            settings.save();
            return null;
        });
    }

    private void showCounters() {
        counters.setText((on && !pseudonym.isEmpty() ? "Lending as “" + pseudonym + "”     " : "")
                + "Jobs served: " + served + "     Running now: " + running + "     CPU time lent: "
                + JobTexts.cpu(cpuMillis));
        counters.getParent().layout();
    }

    private void line(String text) {
        String stamped = LocalTime.now().format(CLOCK) + "  " + text + "\n";
        boolean atEnd = log.getTopIndex() + Math.max(1, log.getClientArea().height / Math.max(1, log.getLineHeight()))
                >= log.getLineCount() - 1;
        log.append(stamped);
        if (log.getLineCount() > LOG_LINES) {
            log.replaceTextRange(0, log.getOffsetAtLine(log.getLineCount() - LOG_LINES), "");
        }
        if (atEnd) {
            log.setTopIndex(log.getLineCount() - 1);
        }
    }

    /** The lender's events, moved to the UI thread. */
    private final class ViewListener implements LenderListener {
        @Override
        public void started(String name) {
            ui.async(root, () -> {
                pseudonym = name;
                showCounters();
                if (on) {
                    afterToggle();
                }
            });
        }

        @Override
        public void log(String text) {
            ui.async(root, () -> line(text.startsWith("[") ? text.replaceFirst("^\\[[^]]*\\] ", "") : text));
        }

        @Override
        public void jobStarted(long jobId, String scriptName) {
            ui.async(root, () -> {
                running++;
                showCounters();
            });
        }

        @Override
        public void jobFinished(long jobId, String scriptName, String outcome, long cpu) {
            ui.async(root, () -> {
                running = Math.max(0, running - 1);
                served++;
                cpuMillis += cpu;
                showCounters();
            });
        }

        @Override
        public void creditChanged(LenderCredit c) {
            ui.async(root, () -> {
                credit.setText(c.describe());
                boolean limited = c.standing() == LenderStanding.REPLICAS_ONLY
                        || c.standing() == LenderStanding.SUSPENDED;
                credit.setForeground(limited ? warning : null);
                credit.getParent().layout();
            });
        }

        @Override
        public void stopped(ServiceException error) {
            ui.async(root, () -> {
                if (on) {
                    LenderView.this.stopped(error);
                }
            });
        }
    }
}
