package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.client.ui.model.Arguments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument lines as typed in the queue view, and the settings file kept between runs. No SWT. */
class ArgumentsAndSettingsTest {
    @Test
    void argumentsSplitLikeAShellForSimpleCases() {
        assertEquals(List.of("--n", "10", "two words", "it's", "a\"b"),
                Arguments.split("--n 10 \"two words\" \"it's\" a\\\"b"));
        assertEquals(List.of(), Arguments.split("   "));
        assertEquals(List.of(""), Arguments.split("''"));
        List<String> args = List.of("plain", "with space", "quote\"d", "");
        assertEquals(args, Arguments.split(Arguments.join(args)));
    }

    @Test
    void settingsSurviveARoundTripAndBrokenValuesFallBack(@TempDir Path dir) throws Exception {
        SettingsStore store = new SettingsStore(dir.resolve("client/workbench.properties"));
        store.putInt("window.width", 1180);
        store.putInts("sash.main", new int[] {56, 44});
        store.putLongs("tabs.open", List.of(3L, 12L));
        store.putBoolean("window.maximized", true);
        store.save();
        SettingsStore again = new SettingsStore(dir.resolve("client/workbench.properties")).load();
        assertEquals(1180, again.getInt("window.width", 0));
        assertArrayEquals(new int[] {56, 44}, again.getInts("sash.main"));
        assertEquals(List.of(3L, 12L), again.getLongs("tabs.open"));
        assertEquals(true, again.getBoolean("window.maximized", false));

        Files.writeString(dir.resolve("client/workbench.properties"), "window.width=wide\nsash.main=1,x,3\n");
        SettingsStore broken = new SettingsStore(dir.resolve("client/workbench.properties")).load();
        assertEquals(900, broken.getInt("window.width", 900));
        assertArrayEquals(new int[] {1, 3}, broken.getInts("sash.main"));
        assertEquals(7, new SettingsStore(dir.resolve("missing.properties")).load().getInt("x", 7));
    }
}
