package idle.client.net;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user name and password. The connection keeps them to log in again after a network drop when
 * its session cannot be resumed; {@link #destroy} wipes the password when they are no longer needed.
 */
public final class Credentials {
    private final String user;
    private final char[] password;

    public Credentials(String user, char[] password) {
        this.user = Objects.requireNonNull(user, "user");
        this.password = Objects.requireNonNull(password, "password").clone();
    }

    public String user() {
        return user;
    }

    /** A copy of the password. */
    public char[] password() {
        return password.clone();
    }

    /** Overwrites the password in memory. */
    public void destroy() {
        Arrays.fill(password, '\0');
    }

    @Override
    public String toString() {
        return "Credentials[" + user + ", ***]";
    }
}
