package idle.client.net;

import idle.shared.model.FailureKind;
import java.util.Objects;

/**
 * The server refused a request: {@code FLD} (with a {@link FailureKind}), {@code NLA} (no lender
 * can run the job) or {@code ILR} (not allowed here). The message is the server's reason.
 */
public class RequestException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which refusal it was. */
    public enum Type { FAILED, NO_LENDERS, ILLEGAL }

    private final Type type;
    private final FailureKind kind;

    public RequestException(Type type, FailureKind kind, String reason) {
        // The reason is for a person and may come from another user (a lender): printable only.
        super(UntrustedText.clean(Objects.requireNonNull(reason)));
        this.type = Objects.requireNonNull(type);
        this.kind = kind;
    }

    public Type type() {
        return type;
    }

    /** The failure kind of an {@code FLD}; null for NLA and ILR. */
    public FailureKind kind() {
        return kind;
    }

    /** The server's reason, for a person. */
    public String reason() {
        return getMessage();
    }
}
