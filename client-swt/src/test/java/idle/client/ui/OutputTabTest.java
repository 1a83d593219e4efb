package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.client.ui.model.JobEvents;
import idle.client.ui.output.JobFeed;
import idle.client.ui.output.JobFeeds;
import idle.client.ui.views.JobNotifier;
import idle.client.ui.views.OutputTab;
import idle.client.ui.views.OutputTabs;
import idle.shared.model.JobState;
import idle.shared.model.JobSummary;
import idle.shared.model.StreamKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.swt.custom.StyleRange;
import org.junit.jupiter.api.Test;

/**
 * The output tab's widget on its own (no server needed): a flood of output does not freeze the
 * window and is capped, stderr is coloured, the find bar finds, auto-scroll stops when the user
 * scrolls up, and a job finishing out of sight is notified.
 */
class OutputTabTest extends WidgetShellBase {
    OutputTabTest() {
        super("IDLE output tab test", 1000, 650);
    }

    private OutputTabs tabs(JobFeeds feeds, JobEvents events, JobNotifier notifier, int retained) {
        return new OutputTabs(shell, new UiThread(display), background, new Sessions(), resources, feeds, events,
                notifier, retained);
    }

    @Test
    void floodIsCoalescedCappedAndKeepsTheWindowResponsive() throws Exception {
        JobFeeds feeds = new JobFeeds();
        Object source = new Object();
        JobFeed feed = feeds.writableFeed(7, source);
        OutputTabs tabs = tabs(feeds, new JobEvents(), job -> { }, 200_000);
        OutputTab tab = tabs.open(7, "flood.py", true);
        shell.open();

        // A producer thread pushes 24 MiB as fast as it can, in 4 KiB chunks like the wire does.
        byte[] line = "0123456789 the quick brown fox jumps over the lazy dog 0123456789\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] chunk = new byte[4096 - 4096 % line.length];
        for (int i = 0; i < chunk.length; i += line.length) {
            System.arraycopy(line, 0, chunk, i, line.length);
        }
        long total = 24L * 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread producer = new Thread(() -> {
            while (sent.get() < total) {
                feed.buffer().append(sent.get() % 3 == 0 ? StreamKind.STDOUT : StreamKind.STDOUT, chunk);
                sent.addAndGet(chunk.length);
            }
            feed.buffer().append(StreamKind.STDERR, "Traceback: the end\n".getBytes(StandardCharsets.UTF_8));
            done.set(true);
        }, "flood");
        long start = System.nanoTime();
        producer.start();

        // Meanwhile the UI thread must keep answering: measure the longest gap between two ticks.
        long[] lastTick = {System.nanoTime()};
        long[] longestGap = {0};
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                long now = System.nanoTime();
                longestGap[0] = Math.max(longestGap[0], now - lastTick[0]);
                lastTick[0] = now;
                if (!shell.isDisposed()) {
                    display.timerExec(10, this);
                }
            }
        };
        display.timerExec(10, tick);
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(60), "the flood to be shown",
                () -> done.get() && feed.buffer().pendingChars() == 0 && tab.text().getText().contains("the end"));
        long seconds = Math.max(1, (System.nanoTime() - start) / 1_000_000_000L);

        assertTrue(tab.text().getCharCount() <= 200_000, "the widget keeps at most the cap: " + tab.text().getCharCount());
        assertTrue(tab.trimmedChars() > 0, "older output was trimmed");
        // The UI thread's own work per tick stays short whatever the rate; the wall-clock gap
        // between two timer ticks also depends on how busy the (shared) machine is.
        assertTrue(tab.longestDrainMillis() < 300, "one tick of output took " + tab.longestDrainMillis() + " ms of CPU");
        assertTrue(longestGap[0] < 5_000_000_000L, "the UI never froze: longest gap "
                + longestGap[0] / 1_000_000 + " ms at " + total / seconds / 1024 + " KiB/s");
        StyleRange[] styles = tab.text().getStyleRanges();
        assertTrue(styles.length > 0 && styles[styles.length - 1].foreground.equals(resources.stderr()),
                "stderr is drawn in its own colour");
        assertTrue(tab.isAtEnd(), "auto-scroll kept the end in view");
        SwtTestSupport.screenshot(shell, "output-tab-flood");
    }

    @Test
    void autoScrollStopsWhenTheUserScrollsUpAndFindFindsText() throws Exception {
        JobFeeds feeds = new JobFeeds();
        Object source = new Object();
        JobFeed feed = feeds.writableFeed(8, source);
        OutputTabs tabs = tabs(feeds, new JobEvents(), job -> { }, 1_000_000);
        OutputTab tab = tabs.open(8, "lines.py", true);
        shell.open();
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            sb.append("line ").append(i).append('\n');
        }
        feed.buffer().append(StreamKind.STDOUT, sb.toString().getBytes(StandardCharsets.UTF_8));
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(10), "500 lines", () -> tab.text().getLineCount() > 500);
        assertTrue(tab.isAtEnd());

        tab.text().setTopIndex(10); // the user scrolls up
        feed.buffer().append(StreamKind.STDERR, "warning: more\n".getBytes(StandardCharsets.UTF_8));
        SwtTestSupport.spinUntil(display, Duration.ofSeconds(10), "the warning", () -> tab.text().getText().contains("warning"));
        assertEquals(10, tab.text().getTopIndex(), "the view stays where the user scrolled");
        assertFalse(tab.isAtEnd());

        tab.showFind();
        tab.findBar().query().setText("line 250");
        SwtTestSupport.drainEvents(display);
        assertEquals("line 250", tab.text().getSelectionText());
        assertTrue(tab.findBar().resultText().startsWith("1 of 1"), tab.findBar().resultText());
        SwtTestSupport.screenshot(shell, "output-tab-find");
    }

    @Test
    void aJobFinishingInABackgroundTabIsNotified() {
        JobFeeds feeds = new JobFeeds();
        JobEvents events = new JobEvents();
        List<JobSummary> notified = new ArrayList<>();
        OutputTabs tabs = tabs(feeds, events, notified::add, 1_000_000);
        shell.open();
        tabs.open(1, "a.py", true);
        tabs.open(2, "b.py", false);
        assertEquals(1, tabs.selected().orElseThrow().jobId());
        tabs.open(3, "c.py", false);
        events.publish(new JobSummary(3, "c.py", JobState.FAILED, 1, null, "", "lender-1", 1, 1, 2, 3, 10));
        assertEquals(0, notified.size(), "a job that had already ended when its tab opened is no news");
        events.publish(new JobSummary(2, "b.py", JobState.RUNNING, null, null, "", "lender-1", 1, 1, 2, 0, 0));
        events.publish(new JobSummary(2, "b.py", JobState.SUCCEEDED, 0, null, "", "lender-1", 1, 1, 2, 3, 10));
        assertEquals(1, notified.size(), "the user hears about the job behind the tab in front");
        assertTrue(tabs.isUnseen(2));
        tabs.cycle(1);
        assertFalse(tabs.isUnseen(2), "showing the tab marks it seen");
        tabs.closeSelected();
        assertEquals(List.of(1L, 3L), tabs.openJobIds());
    }
}
