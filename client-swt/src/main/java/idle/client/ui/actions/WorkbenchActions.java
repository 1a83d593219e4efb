package idle.client.ui.actions;

import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.ActionContributionItem;
import org.eclipse.jface.action.IAction;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.Separator;
import org.eclipse.jface.action.ToolBarManager;
import org.eclipse.swt.SWT;

/**
 * The workbench's actions, each with its accelerator, and how they sit in the menus and the tool
 * bar. Every action is in a menu; the frequent ones are also on the tool bar. UI thread only.
 */
public final class WorkbenchActions {
    public final IAction logIn;
    public final IAction logOut;
    public final IAction addScripts;
    public final IAction submit;
    public final IAction cancel;
    public final IAction rerun;
    public final IAction openOutput;
    public final IAction refreshHistory;
    public final IAction saveOutput;
    public final IAction find;
    public final IAction closeTab;
    public final IAction nextTab;
    public final IAction previousTab;
    public final IAction showQueue;
    public final IAction showHistory;
    public final IAction showLender;
    public final IAction lend;
    public final IAction about;
    public final IAction quit;

    public WorkbenchActions(Commands c, IdleResources r) {
        logIn = action("&Log In…", SWT.MOD1 | SWT.SHIFT | 'L', r, Icons.LOGIN, "Log in to an IDLE server", c::logIn);
        logOut = action("Log &Out", 0, r, null, "Log out and disconnect", c::logOut);
        addScripts = action("&Add Scripts…", SWT.MOD1 | 'O', r, Icons.ADD, "Add python3 scripts to queue", c::addScripts);
        submit = action("&Submit", SWT.MOD1 | SWT.CR, r, Icons.SUBMIT, "Submit the added scripts", c::submit);
        cancel = action("&Cancel Job", SWT.MOD1 | SWT.SHIFT | 'X', r, Icons.CANCEL, "Cancel the selected jobs",
                c::cancelSelected);
        rerun = action("&Re-run", SWT.MOD1 | SWT.SHIFT | 'R', r, Icons.RERUN, "Submit the selected jobs again",
                c::rerunSelected);
        openOutput = action("&Open Output", SWT.MOD1 | SWT.SHIFT | 'O', r, Icons.OUTPUT,
                "Show the output of the selected jobs", c::openSelected);
        refreshHistory = action("Refresh &History", SWT.F5, r, Icons.REFRESH, "Load the newest jobs", c::refreshHistory);
        saveOutput = action("&Save Output…", SWT.MOD1 | 'S', r, Icons.SAVE, "Save the complete output of the job in front",
                c::saveOutput);
        find = action("&Find…", SWT.MOD1 | 'F', r, Icons.FIND, "Find in the output in front", c::find);
        closeTab = action("&Close Tab", SWT.MOD1 | 'W', r, null, "Close the output tab in front", c::closeTab);
        nextTab = action("&Next Tab", SWT.MOD1 | SWT.PAGE_DOWN, r, null, "Show the next output tab", c::nextTab);
        previousTab = action("&Previous Tab", SWT.MOD1 | SWT.PAGE_UP, r, null, "Show the previous output tab",
                c::previousTab);
        showQueue = action("&Queue", SWT.MOD1 | '1', r, Icons.QUEUE, "Show the queue", () -> c.showView(0));
        showHistory = action("&History", SWT.MOD1 | '2', r, Icons.HISTORY, "Show the history", () -> c.showView(1));
        showLender = action("&Become IDLEr", SWT.MOD1 | '3', r, Icons.LEND, "Show the lender panel", () -> c.showView(2));
        lend = new Action("&Lend This Computer", IAction.AS_CHECK_BOX) {
            @Override
            public void run() {
                c.setLending(isChecked());
            }
        };
        lend.setAccelerator(SWT.MOD1 | SWT.SHIFT | 'B');
        lend.setImageDescriptor(r.icons().descriptor(Icons.LEND));
        lend.setToolTipText("Become IDLEr: start or stop lending this computer");
        about = action("&About IDLE", 0, r, null, "About IDLE", c::about);
        quit = action("&Quit", SWT.MOD1 | 'Q', r, null, "Quit the workbench", c::quit);
    }

    private static IAction action(String text, int accelerator, IdleResources r, String icon, String tip,
            Runnable run) {
        Action a = new Action(text) {
            @Override
            public void run() {
                run.run();
            }
        };
        if (accelerator != 0) {
            a.setAccelerator(accelerator);
        }
        if (icon != null) {
            a.setImageDescriptor(r.icons().descriptor(icon));
        }
        a.setToolTipText(tip);
        return a;
    }

    /** The menu bar: File, Jobs, View, Lend, Help. */
    public MenuManager menuBar() {
        MenuManager bar = new MenuManager();
        MenuManager file = new MenuManager("&File");
        file.add(logIn);
        file.add(logOut);
        file.add(new Separator());
        file.add(addScripts);
        file.add(saveOutput);
        file.add(new Separator());
        file.add(quit);
        MenuManager jobs = new MenuManager("&Jobs");
        jobs.add(submit);
        jobs.add(cancel);
        jobs.add(rerun);
        jobs.add(openOutput);
        jobs.add(new Separator());
        jobs.add(refreshHistory);
        MenuManager view = new MenuManager("&View");
        view.add(showQueue);
        view.add(showHistory);
        view.add(showLender);
        view.add(new Separator());
        view.add(find);
        view.add(nextTab);
        view.add(previousTab);
        view.add(closeTab);
        MenuManager lender = new MenuManager("&Lend");
        lender.add(lend);
        lender.add(showLender);
        MenuManager help = new MenuManager("&Help");
        help.add(about);
        bar.add(file);
        bar.add(jobs);
        bar.add(view);
        bar.add(lender);
        bar.add(help);
        return bar;
    }

    /** The tool bar: the frequent actions. */
    public ToolBarManager toolBar(int style) {
        ToolBarManager tb = new ToolBarManager(style);
        for (IAction a : new IAction[] {logIn, null, addScripts, submit, cancel, rerun, null, find, saveOutput,
                null, lend}) {
            if (a == null) {
                tb.add(new Separator());
            } else {
                ActionContributionItem item = new ActionContributionItem(a);
                item.setMode(ActionContributionItem.MODE_FORCE_TEXT);
                tb.add(item);
            }
        }
        return tb;
    }
}
