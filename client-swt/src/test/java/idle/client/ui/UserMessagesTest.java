package idle.client.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import idle.client.ui.service.ServiceException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The workbench's one sentence for a failure is printable, whatever it quotes. */
class UserMessagesTest {
    @Test
    void escapeSequencesInAFailureAreShownAsPlaceholders() {
        var failure = new ExecutionException(new ServiceException(ServiceException.Kind.OTHER,
                "the lender could not run it: \u001b]0;pwned\u0007\u001b[2J"));
        assertEquals("the lender could not run it: \uFFFD]0;pwned\uFFFD\uFFFD[2J", UserMessages.describe(failure));
        assertEquals("Input/output error: disk \uFFFD[31mfull",
                UserMessages.describe(new java.io.IOException("disk \u001b[31mfull")));
    }
}
