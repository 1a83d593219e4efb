package idle.client.ui.views;

import idle.client.net.UntrustedText;
import idle.client.ui.Background;
import idle.client.ui.Sessions;
import idle.client.ui.model.JobTexts;
import idle.client.ui.resources.Icons;
import idle.client.ui.resources.IdleResources;
import idle.client.ui.service.ClientSession;
import idle.client.ui.service.ServiceException;
import idle.shared.model.OutputFileInfo;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;

/**
 * The files a job wrote, with buttons to save one or all of them. Downloads run on a worker;
 * the result is reported in the panel's status label. UI thread only.
 */
public final class FilesPanel {
    private final Composite panel;
    private final TableViewer viewer;
    private final Button save;
    private final Button saveAll;
    private final Label status;
    private final Background background;
    private final Sessions sessions;
    private final long jobId;

    public FilesPanel(Composite parent, long jobId, Background background, Sessions sessions,
            IdleResources resources) {
        this.jobId = jobId;
        this.background = background;
        this.sessions = sessions;
        panel = new Composite(parent, SWT.NONE);
        GridLayout pl = new GridLayout(4, false);
        pl.marginHeight = 2;
        panel.setLayout(pl);
        Label title = new Label(panel, SWT.NONE);
        title.setText("Output files");
        title.setFont(resources.bold());
        status = new Label(panel, SWT.NONE);
        status.setForeground(resources.note());
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        save = new Button(panel, SWT.PUSH);
        save.setText("Save…");
        save.setImage(resources.image(Icons.SAVE));
        save.setToolTipText("Save the selected file");
        saveAll = new Button(panel, SWT.PUSH);
        saveAll.setText("Save all…");
        saveAll.setToolTipText("Save every file into a folder");
        viewer = new TableViewer(panel, SWT.BORDER | SWT.FULL_SELECTION | SWT.MULTI);
        Table table = viewer.getTable();
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        GridDataFactory.fillDefaults().grab(true, true).span(4, 1).hint(300, 40).applyTo(table);
        column("Name", 260, f -> UntrustedText.clean(f.name())); // a lender chose it
        column("Size", 90, f -> JobTexts.bytes(f.size()));
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setInput(List.of());


        save.addListener(SWT.Selection, e -> saveSelected());
        saveAll.addListener(SWT.Selection, e -> saveAll());
        viewer.addDoubleClickListener(e -> saveSelected());
        viewer.addSelectionChangedListener(e -> updateButtons());
        updateButtons();
    }

    private void column(String name, int width, java.util.function.Function<OutputFileInfo, String> text) {
        TableViewerColumn c = new TableViewerColumn(viewer, SWT.NONE);
        c.getColumn().setText(name);
        c.getColumn().setWidth(width);
        c.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((OutputFileInfo) element);
            }
        });
    }

    public Composite control() {
        return panel;
    }

    public TableViewer viewer() {
        return viewer;
    }

    /** The height that shows the panel's title row and up to {@code rows} files, in pixels. */
    public int heightFor(int rows) {
        Table table = viewer.getTable();
        int tableHint = ((GridData) table.getLayoutData()).heightHint;
        return panel.computeSize(SWT.DEFAULT, SWT.DEFAULT).y - tableHint + table.getHeaderHeight()
                + rows * table.getItemHeight() + 2 * table.getBorderWidth();
    }

    public void setFiles(List<OutputFileInfo> files) {
        viewer.setInput(files);
        if (!files.isEmpty()) {
            viewer.getTable().setSelection(0);
        }
        status.setText(files.isEmpty() ? "The job wrote no files." : "");
        updateButtons();
    }

    private void updateButtons() {
        save.setEnabled(!viewer.getSelection().isEmpty());
        saveAll.setEnabled(viewer.getTable().getItemCount() > 0);
    }

    private void saveSelected() {
        IStructuredSelection sel = viewer.getStructuredSelection();
        if (sel.isEmpty()) {
            return;
        }
        OutputFileInfo file = (OutputFileInfo) sel.getFirstElement();
        FileDialog dialog = new FileDialog(panel.getShell(), SWT.SAVE);
        dialog.setText("Save " + UntrustedText.clean(file.name()));
        dialog.setFileName(UntrustedText.clean(Path.of(file.name()).getFileName().toString()));
        dialog.setOverwrite(true);
        String target = dialog.open();
        if (target != null) {
            download(List.of(file), name -> Path.of(target));
        }
    }

    private void saveAll() {
        @SuppressWarnings("unchecked")
        List<OutputFileInfo> files = (List<OutputFileInfo>) viewer.getInput();
        DirectoryDialog dialog = new DirectoryDialog(panel.getShell(), SWT.SAVE);
        dialog.setText("Save all files of job " + jobId);
        dialog.setMessage("Choose the folder for the " + files.size() + " files");
        String dir = dialog.open();
        if (dir != null) {
            download(files, name -> Path.of(dir).resolve(Path.of(name).getFileName()));
        }
    }

    private void download(List<OutputFileInfo> files, java.util.function.Function<String, Path> where) {
        ClientSession session;
        try {
            session = sessions.require();
        } catch (ServiceException e) {
            status.setText(e.getMessage());
            return;
        }
        status.setText("Saving " + files.size() + (files.size() == 1 ? " file…" : " files…"));
        background.run(panel, "Save output files of job " + jobId, true, () -> {
            for (OutputFileInfo f : files) {
                session.saveOutputFile(jobId, f.name(), where.apply(f.name()));
            }
            return files.size() == 1 ? where.apply(files.get(0).name()).toString()
                    : where.apply(files.get(0).name()).getParent().toString();
        }, path -> status.setText("Saved to " + UntrustedText.clean(path)), () -> status.setText("Saving failed."));
    }
}
