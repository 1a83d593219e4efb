package idle.client.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which refused logins end a client's reconnecting: only those that waiting cannot change. A
 * stranger's wrong guesses (THROTTLED) or a crowd of logins after a server restart (BUSY) must not
 * stop a lender whose password was right from coming back.
 */
class ConnectExceptionTest {
    @Test
    void onlyWrongOrDisabledCredentialsEndReconnecting() {
        assertTrue(new ConnectException(ConnectException.Reason.BAD_CREDENTIALS, "x")
                .isCredentialsRefused());
        assertTrue(new ConnectException(ConnectException.Reason.ACCOUNT_DISABLED, "x")
                .isCredentialsRefused());
        assertFalse(new ConnectException(ConnectException.Reason.THROTTLED, "x")
                .isCredentialsRefused());
        assertFalse(new ConnectException(ConnectException.Reason.BUSY, "x")
                .isCredentialsRefused());
        assertFalse(new ConnectException(ConnectException.Reason.UNREACHABLE, "x")
                .isCredentialsRefused());
    }

    @Test
    void aBusyServerIsNotARefusedLogin() {
        assertFalse(new ConnectException(ConnectException.Reason.BUSY, "x").isLoginRefused());
        assertTrue(new ConnectException(ConnectException.Reason.THROTTLED, "x").isLoginRefused());
    }
}
