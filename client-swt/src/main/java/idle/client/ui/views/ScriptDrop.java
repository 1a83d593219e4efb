package idle.client.ui.views;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.swt.dnd.DND;
import org.eclipse.swt.dnd.DropTarget;
import org.eclipse.swt.dnd.DropTargetAdapter;
import org.eclipse.swt.dnd.DropTargetEvent;
import org.eclipse.swt.dnd.FileTransfer;
import org.eclipse.swt.dnd.Transfer;
import org.eclipse.swt.widgets.Control;

/** Files dropped from a file manager onto a control, taken as a copy. UI thread only. */
final class ScriptDrop {
    private ScriptDrop() {
    }

    /** Hands the paths of files dropped on {@code target} to {@code dropped}. */
    static void install(Control target, Consumer<List<Path>> dropped) {
        DropTarget drop = new DropTarget(target, DND.DROP_COPY | DND.DROP_DEFAULT | DND.DROP_LINK);
        drop.setTransfer(new Transfer[] {FileTransfer.getInstance()});
        drop.addDropListener(new DropTargetAdapter() {
            @Override
            public void dragEnter(DropTargetEvent event) {
                if (event.detail == DND.DROP_DEFAULT || event.detail == DND.DROP_LINK) {
                    event.detail = DND.DROP_COPY;
                }
            }

            @Override
            public void drop(DropTargetEvent event) {
                if (event.data instanceof String[] files) {
                    dropped.accept(Arrays.stream(files).map(Path::of).toList());
                }
            }
        });
    }
}
