package idle.client.lender;

import idle.shared.model.InputFile;
import idle.shared.model.OutputFileInfo;
import idle.shared.protocol.FileNames;
import idle.shared.protocol.Sha256;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the lender does with a job's working directory whatever the script did to it: measure it
 * while the script runs; afterwards make it readable, list the files it wrote, and remove it.
 *
 * <p>It walks by directory handle ({@link SecureDirectoryStream}: openat, fstatat, unlinkat
 * relative to an open directory), never by full path, so a tree deeper than PATH_MAX is no
 * obstacle; and it never follows a symbolic link. A directory the script made unreadable
 * ({@code chmod 0300}, which stops a lender who is not root from listing it) gets its owner's
 * permissions back ({@code u+rwx}; the script's files are the lender's own uid on the host). While
 * the script runs that is done only without following a link (the script could swap the directory
 * for a link to one of the lender's files between a check and a chmod); where this JVM cannot
 * do that for an unreadable directory, the directory counts as hidden and the job is stopped.
 * After the script ended (its processes are dead, nothing can swap anything) the permissions are
 * restored on what was checked to be a directory.
 *
 * <p>A walk keeps one open handle per level, so it goes at most {@link #MAX_DEPTH} levels down:
 * deeper counts as a problem for the job (it is stopped). Removal has no depth limit: a subtree at
 * that depth is moved up to the top (a rename within the directory) and removed from there.
 *
 * <p>Stateless; every method may be called from any thread, on different trees at once.
 */
final class WorkTree {
    private static final Logger LOG = Logger.getLogger(WorkTree.class.getName());
    /** Levels of directories a job may nest; the walk holds a handle per level. */
    static final int MAX_DEPTH = 64;
    /** What a directory counts for in the output cap, like the block it takes. */
    static final long DIRECTORY_BYTES = 4096;
    private static final Set<PosixFilePermission> OWNER_ALL = PosixFilePermissions.fromString("rwx------");
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private WorkTree() {
    }

    /**
     * What is in a work directory.
     *
     * @param bytes apparent sizes of its files (a sparse file counts in full), plus
     *     {@link #DIRECTORY_BYTES} per directory
     * @param entries files and directories (the walk stops a little past the limit it was given)
     * @param problem why it could not be measured completely (a directory that stays unreadable,
     *     nesting deeper than {@link #MAX_DEPTH}), or null
     */
    record Usage(long bytes, long entries, String problem) {
    }

    /**
     * Measures {@code dir} (bytes and entries below it, not itself).
     *
     * @param maxEntries stop counting once past this many entries
     * @param running true while the script may still change the tree
     */
    static Usage measure(Path dir, long maxEntries, boolean running) {
        long[] total = new long[2];
        String[] problem = new String[1];
        try (SecureDirectoryStream<Path> top = open(dir)) {
            measure(top, 1, maxEntries, running, total, problem);
        } catch (NoSuchFileException e) {
            // gone
        } catch (IOException e) {
            problem[0] = "its working directory could not be read";
        }
        return new Usage(total[0], total[1], problem[0]);
    }

    private static void measure(SecureDirectoryStream<Path> dir, int depth, long maxEntries,
            boolean running, long[] total, String[] problem) {
        for (Path name : names(dir)) {
            if (total[1] > maxEntries || problem[0] != null) {
                return;
            }
            BasicFileAttributes a = attributes(dir, name);
            if (a == null) {
                continue; // gone meanwhile
            }
            total[1]++;
            if (!a.isDirectory()) {
                total[0] += a.size();
                continue;
            }
            total[0] += DIRECTORY_BYTES;
            if (depth > MAX_DEPTH) {
                problem[0] = "nested directories more than " + MAX_DEPTH + " levels deep";
                return;
            }
            try (SecureDirectoryStream<Path> child = enter(dir, name, running)) {
                if (child != null) {
                    measure(child, depth + 1, maxEntries, running, total, problem);
                }
            } catch (AccessDeniedException e) {
                problem[0] = "made a directory the lender cannot read";
                return;
            } catch (IOException e) {
                // replaced or removed meanwhile
            }
        }
    }

    /**
     * Gives the owner full access to every directory down to {@code maxDepth} levels below
     * {@code dir}, so a path-based walk of that much sees everything. Only after the script ended.
     */
    static void makeReadable(Path dir, int maxDepth) {
        try (SecureDirectoryStream<Path> top = open(dir)) {
            makeReadable(top, 1, maxDepth);
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot make " + dir + " readable", e);
        }
    }

    private static void makeReadable(SecureDirectoryStream<Path> dir, int depth, int maxDepth) {
        for (Path name : names(dir)) {
            BasicFileAttributes a = attributes(dir, name);
            if (a == null || !a.isDirectory() || depth > maxDepth) {
                continue;
            }
            try (SecureDirectoryStream<Path> child = enter(dir, name, false)) {
                if (child != null) {
                    makeReadable(child, depth + 1, maxDepth);
                }
            } catch (IOException e) {
                // left as it is: its files are not sent
            }
        }
    }

    /**
     * The regular files the script left in {@code dir} (at most {@code maxFiles}, at most
     * {@link FileNames#MAX_DEPTH} levels down: deeper ones could not be sent), except the script
     * and inputs it was given, unchanged; sorted by name. Links, FIFOs, sockets and devices are
     * never taken. Only after the script ended.
     */
    static List<OutputFileInfo> outputFiles(Path dir, RunSpec spec, int maxFiles) throws IOException {
        Map<String, String> given = new HashMap<>();
        given.put(spec.scriptName(), Sha256.hex(spec.script()));
        for (InputFile f : spec.inputs()) {
            given.put(f.name(), f.sha256());
        }
        List<OutputFileInfo> out = new ArrayList<>();
        makeReadable(dir, FileNames.MAX_DEPTH);
        Files.walkFileTree(dir, Set.of(), FileNames.MAX_DEPTH, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile() || out.size() >= maxFiles) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = dir.relativize(file).toString();
                String sha;
                try {
                    sha = Sha256.hex(file);
                } catch (IOException e) {
                    return FileVisitResult.CONTINUE;
                }
                if (!sha.equals(given.get(rel))) {
                    out.add(new OutputFileInfo(rel, Files.size(file), sha));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(Comparator.comparing(OutputFileInfo::name));
        return out;
    }

    /**
     * Removes {@code dir} and everything in it, however deep and whatever its permissions,
     * without following links. Only after the script ended.
     *
     * @return false when something could not be removed (logged)
     */
    static boolean delete(Path dir) {
        try {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, NOFOLLOW);
            if (a.isDirectory()) {
                Files.setPosixFilePermissions(dir, OWNER_ALL); // by path: the lender made it
                // Each pass empties the first MAX_DEPTH levels and moves deeper subtrees up; a
                // directory handle lists its entries once, so every pass opens the top again.
                boolean moved = true;
                for (int pass = 0; moved; pass++) {
                    if (pass > 100_000) {
                        throw new IOException("does not get empty");
                    }
                    try (SecureDirectoryStream<Path> top = open(dir)) {
                        moved = empty(top, top, 1);
                    }
                }
            }
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException | DirectoryIteratorException e) {
            LOG.log(Level.WARNING, "could not remove " + dir, e);
            return false;
        }
    }

    /** Removes what is in {@code dir}; returns true when it moved a subtree up to {@code top}. */
    private static boolean empty(SecureDirectoryStream<Path> top, SecureDirectoryStream<Path> dir,
            int depth) throws IOException {
        boolean moved = false;
        for (Path name : names(dir)) {
            BasicFileAttributes a = attributes(dir, name);
            if (a == null) {
                continue;
            }
            if (!a.isDirectory()) {
                dir.deleteFile(name);
                continue;
            }
            if (depth >= MAX_DEPTH) {
                dir.move(name, top, freeName(top));
                moved = true;
                continue;
            }
            try (SecureDirectoryStream<Path> child = enter(dir, name, false)) {
                if (child == null) {
                    continue;
                }
                moved |= empty(top, child, depth + 1);
            }
            dir.deleteDirectory(name);
        }
        return moved;
    }

    private static Path freeName(SecureDirectoryStream<Path> top) {
        for (long i = 0; ; i++) {
            Path p = Path.of(".idle-deep-" + i);
            if (attributes(top, p) == null) {
                return p;
            }
        }
    }

    /**
     * Opens the directory {@code name} in {@code dir} and gives its owner full access; null when
     * it is gone or no longer a directory.
     *
     * @throws AccessDeniedException when it cannot be opened even after that
     */
    private static SecureDirectoryStream<Path> enter(SecureDirectoryStream<Path> dir, Path name,
            boolean running) throws IOException {
        SecureDirectoryStream<Path> child;
        try {
            child = dir.newDirectoryStream(name, NOFOLLOW);
        } catch (AccessDeniedException e) {
            try {
                // Not following a link is race-free; where this JVM cannot do it for a directory
                // it cannot open, and the script is gone, follow: it was checked to be a directory.
                PosixFileAttributeView v = running
                        ? dir.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW)
                        : dir.getFileAttributeView(name, PosixFileAttributeView.class);
                v.setPermissions(OWNER_ALL);
            } catch (IOException notAllowed) {
                throw e;
            }
            child = dir.newDirectoryStream(name, NOFOLLOW);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return null;
        } catch (java.nio.file.FileSystemException e) {
            if (attributes(dir, name) == null || !attributes(dir, name).isDirectory()) {
                return null; // replaced by a link or a file meanwhile (ELOOP, ENOTDIR)
            }
            throw e;
        }
        try {
            // Also write and search permission (0500, 0600 directories): by the open handle.
            child.getFileAttributeView(PosixFileAttributeView.class).setPermissions(OWNER_ALL);
        } catch (IOException e) {
            // the directory of another uid (a root lender's sandbox user): root needs no permission
        }
        return child;
    }

    private static SecureDirectoryStream<Path> open(Path dir) throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
        if (ds instanceof SecureDirectoryStream<Path> s) {
            return s;
        }
        ds.close();
        throw new IOException("this platform cannot walk directories by handle");
    }

    /** The names in {@code dir}, read before anything in it changes. */
    private static List<Path> names(SecureDirectoryStream<Path> dir) {
        List<Path> names = new ArrayList<>();
        try {
            for (Path p : dir) {
                names.add(p.getFileName());
            }
        } catch (DirectoryIteratorException e) {
            LOG.log(Level.FINE, "listing stopped", e);
        }
        return names;
    }

    /** The attributes of {@code name} itself (a link is not followed), or null when it is gone. */
    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name) {
        try {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes();
        } catch (IOException e) {
            return null;
        }
    }
}
