package idle.client.ui;

import idle.client.net.UntrustedText;
import idle.client.ui.service.ServiceException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns a failure into one plain sentence for a person. Never a stack trace. Any thread. */
public final class UserMessages {
    private UserMessages() {
    }

    /** The innermost meaningful cause: unwraps executor and completion wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof ExecutionException || cur instanceof CompletionException)
                && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** One sentence for {@code failure}, printable (it may quote the server or a lender). */
    public static String describe(Throwable failure) {
        return UntrustedText.clean(sentence(unwrap(failure)));
    }

    private static String sentence(Throwable t) {
        if (t instanceof ServiceException se) {
            return se.getMessage();
        }
        if (t instanceof CancellationException || t instanceof InterruptedException) {
            return "Cancelled.";
        }
        if (t instanceof UnknownHostException) {
            return "Unknown server host: " + t.getMessage();
        }
        if (t instanceof ConnectException) {
            return "Cannot reach the server (" + nonEmpty(t.getMessage(), "connection refused") + ").";
        }
        if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
            return "File not found: " + t.getMessage();
        }
        if (t instanceof AccessDeniedException) {
            return "Permission denied: " + t.getMessage();
        }
        if (t instanceof IOException) {
            return "Input/output error: " + nonEmpty(t.getMessage(), t.getClass().getSimpleName());
        }
        return nonEmpty(t.getMessage(), "Unexpected error (" + t.getClass().getSimpleName() + ").");
    }

    private static String nonEmpty(String s, String otherwise) {
        return s == null || s.isBlank() ? otherwise : s;
    }
}
