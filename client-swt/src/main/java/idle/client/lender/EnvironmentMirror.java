package idle.client.lender;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A copy of a python environment that lives outside /usr (a virtual environment, a conda
 * environment), made so that a job sees nothing of where the original is. Bubblewrap binds the
 * copy read-only at a neutral path ({@code /idle/env/N}); the kernel shows a bind mount's source
 * path in {@code /proc/self/mountinfo}, so the original itself, say under
 * {@code /home/alice/envs/science}, would tell a job the lender's login name.
 *
 * <p>The copy is in the lender's private work directory ({@link WorkRoot}): directories are made
 * anew, files are hard links to the originals where the file system allows (no space, no time),
 * else copies. Every file up to {@link #SCAN_LIMIT} is read for the environment's paths (as
 * given and real) and the lender's home directory: a text file (no NUL byte) that names the
 * environment gets the neutral path instead (so {@code pyvenv.cfg}'s {@code command} line and
 * the scripts' {@code #!} lines read {@code /idle/env/N}); a binary file that names one of them
 * (compiled {@code .pyc} files record the path they were compiled at), and a text file that
 * still names the home, is left out (python compiles the source instead). A symbolic link into
 * the environment points to the neutral path; one that names the home otherwise is left out.
 * Larger files are linked or copied unread. Sockets, pipes and devices are left out. At most
 * {@link #MAX_COPY_BYTES} are copied and {@link #MAX_ENTRIES} entries made.
 *
 * <p>Made once when lending starts; {@link #delete} removes it. Not thread-safe while made.
 */
public final class EnvironmentMirror {
    /** Files larger than this are not read for paths. */
    static final long SCAN_LIMIT = 64L * 1024 * 1024;
    /** Most bytes copied (when hard links are not possible) before giving up. */
    static final long MAX_COPY_BYTES = 4L * 1024 * 1024 * 1024;
    /** Most files, directories and links in one environment. */
    static final int MAX_ENTRIES = 500_000;
    private static final Set<PosixFilePermission> OPEN_DIR = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path dir;
    private final int linked;
    private final int copied;
    private final int rewritten;
    private final List<String> leftOut;

    private EnvironmentMirror(Path dir, int linked, int copied, int rewritten, List<String> leftOut) {
        this.dir = dir;
        this.linked = linked;
        this.copied = copied;
        this.rewritten = rewritten;
        this.leftOut = List.copyOf(leftOut);
    }

    /** The copy's directory on this machine (bound at the neutral path). */
    Path dir() {
        return dir;
    }

    /** Files and links left out, relative to the environment, for the lender's log. */
    public List<String> leftOut() {
        return leftOut;
    }

    /** A line for the lender's log. */
    public String describe() {
        return linked + " files linked, " + copied + " copied, " + rewritten
                + " rewritten to the neutral path, " + leftOut.size() + " left out";
    }

    /**
     * Copies the environment at {@code source} into {@code target} (which must not exist).
     *
     * @param sourceNames the environment's path as given and as python names it (the real path
     *     is added): these become {@code neutral}
     * @param secrets further paths no file may name (the lender's home), or the file is left out
     * @throws IOException when it cannot be made, saying why
     */
    static EnvironmentMirror make(Path source, List<String> sourceNames, List<String> secrets,
            Path target, String neutral) throws IOException {
        Path real = source.toRealPath();
        List<String> names = new ArrayList<>(sourceNames);
        names.add(real.toString());
        names.add(source.toString());
        names.removeIf(n -> n.length() < 2);
        // the longest first, so that a path and a shorter one inside it are replaced whole
        List<byte[]> replace = names.stream().distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(n -> n.getBytes(StandardCharsets.UTF_8)).toList();
        List<byte[]> forbidden = new ArrayList<>(replace);
        for (String s : secrets) {
            if (s.length() >= 2) {
                forbidden.add(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        Files.createDirectory(target, PosixFilePermissions.asFileAttribute(OPEN_DIR));
        Builder b = new Builder(real, target, neutral.getBytes(StandardCharsets.UTF_8), replace,
                forbidden);
        try {
            Files.walkFileTree(real, Set.of(), Integer.MAX_VALUE, b);
        } catch (IOException | RuntimeException e) {
            WorkTree.delete(target);
            throw e;
        }
        return new EnvironmentMirror(target, b.linked, b.copied, b.rewritten, b.leftOut);
    }

    /** Removes the copy. */
    void delete() {
        WorkTree.delete(dir);
    }

    private static final class Builder extends SimpleFileVisitor<Path> {
        private final Path source;
        private final Path target;
        private final byte[] neutral;
        private final List<byte[]> replace;
        private final List<byte[]> forbidden;
        private final int longest;
        int linked;
        int copied;
        int rewritten;
        int entries;
        long copiedBytes;
        final List<String> leftOut = new ArrayList<>();

        Builder(Path source, Path target, byte[] neutral, List<byte[]> replace,
                List<byte[]> forbidden) {
            this.source = source;
            this.target = target;
            this.neutral = neutral;
            this.replace = replace;
            this.forbidden = forbidden;
            this.longest = forbidden.stream().mapToInt(x -> x.length).max().orElse(1);
        }

        private Path to(Path p) {
            return target.resolve(source.relativize(p).toString());
        }

        private void count() throws IOException {
            if (++entries > MAX_ENTRIES) {
                throw new IOException("the environment " + source + " has more than "
                        + MAX_ENTRIES + " files");
            }
        }

        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
            count();
            if (!d.equals(source)) {
                Files.createDirectory(to(d));
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
                throw e;
            }
            // as the original allows, and always enterable and readable by the lender itself
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(d,
                    LinkOption.NOFOLLOW_LINKS));
            perms.addAll(EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
            Files.setPosixFilePermissions(to(d), perms);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            count();
            String rel = source.relativize(f).toString();
            if (a.isSymbolicLink()) {
                link(f, rel);
            } else if (a.isRegularFile()) {
                file(f, rel, a.size());
            } else {
                leftOut.add(rel + " (not a file)");
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
            leftOut.add(source.relativize(f) + " (unreadable)");
            return FileVisitResult.CONTINUE;
        }

        private void link(Path f, String rel) throws IOException {
            byte[] text = Files.readSymbolicLink(f).toString().getBytes(StandardCharsets.UTF_8);
            byte[] fixed = replaceAll(text);
            if (indexOfAny(fixed, forbidden, fixed.length) >= 0) {
                leftOut.add(rel + " (a link naming a private path)");
                return;
            }
            Files.createSymbolicLink(to(f), Path.of(new String(fixed, StandardCharsets.UTF_8)));
        }

        private void file(Path f, String rel, long size) throws IOException {
            if (size <= SCAN_LIMIT) {
                Scan s = scan(f);
                if (s.found) {
                    if (s.binary) {
                        leftOut.add(rel + " (names a private path)");
                        return;
                    }
                    byte[] fixed = replaceAll(Files.readAllBytes(f));
                    if (indexOfAny(fixed, forbidden, fixed.length) >= 0) {
                        leftOut.add(rel + " (names a private path)");
                        return;
                    }
                    Path t = to(f);
                    Files.write(t, fixed);
                    Files.setPosixFilePermissions(t, Files.getPosixFilePermissions(f));
                    rewritten++;
                    return;
                }
            }
            try {
                Files.createLink(to(f), f);
                linked++;
            } catch (IOException | UnsupportedOperationException e) {
                // another file system, or protected_hardlinks: a copy then
                copiedBytes += size;
                if (copiedBytes > MAX_COPY_BYTES) {
                    throw new IOException("the environment " + source + " would need more than "
                            + (MAX_COPY_BYTES >> 30) + " GiB copied (its files cannot be "
                            + "hard-linked into the work directory: " + e.getMessage() + "); "
                            + "choose a --work-dir on the same file system as the environment");
                }
                Files.copy(f, to(f), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                copied++;
            }
        }

        private record Scan(boolean found, boolean binary) {
        }

        /** Whether the file names a forbidden path, and whether it has a NUL byte. */
        private Scan scan(Path f) throws IOException {
            boolean binary = false;
            byte[] buf = new byte[1 << 20];
            int keep = 0;
            try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
                while (true) {
                    int n = in.readNBytes(buf, keep, buf.length - keep);
                    if (n <= 0) {
                        return new Scan(false, binary);
                    }
                    int end = keep + n;
                    for (int i = keep; i < end && !binary; i++) {
                        binary = buf[i] == 0;
                    }
                    if (indexOfAny(buf, forbidden, end) >= 0) {
                        return new Scan(true, binary || hasNul(in));
                    }
                    keep = Math.min(longest - 1, end);
                    System.arraycopy(buf, end - keep, buf, 0, keep);
                }
            }
        }

        private static boolean hasNul(InputStream in) throws IOException {
            byte[] b = new byte[1 << 16];
            int n;
            while ((n = in.read(b)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (b[i] == 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** {@code data} with every environment path replaced by the neutral one. */
        private byte[] replaceAll(byte[] data) {
            byte[] out = data;
            for (byte[] from : replace) {
                out = replace(out, from, neutral);
            }
            return out;
        }

        private static byte[] replace(byte[] data, byte[] from, byte[] to) {
            java.io.ByteArrayOutputStream out = null;
            int last = 0;
            for (int i = indexOf(data, from, 0, data.length); i >= 0;
                    i = indexOf(data, from, i + from.length, data.length)) {
                if (out == null) {
                    out = new java.io.ByteArrayOutputStream(data.length);
                }
                out.write(data, last, i - last);
                out.write(to, 0, to.length);
                last = i + from.length;
            }
            if (out == null) {
                return data;
            }
            out.write(data, last, data.length - last);
            return out.toByteArray();
        }

        private static int indexOfAny(byte[] data, List<byte[]> needles, int end) {
            for (byte[] n : needles) {
                int i = indexOf(data, n, 0, end);
                if (i >= 0) {
                    return i;
                }
            }
            return -1;
        }

        private static int indexOf(byte[] data, byte[] needle, int from, int end) {
            outer:
            for (int i = from; i <= end - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (data[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
