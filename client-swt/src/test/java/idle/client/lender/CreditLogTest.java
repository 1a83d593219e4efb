package idle.client.lender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import idle.shared.model.LenderCredit;
import idle.shared.model.LenderStanding;
import org.junit.jupiter.api.Test;

/** When the lender's log gets a credit line: first, on a new standing, else once a minute. */
class CreditLogTest {
    static LenderCredit credit(LenderStanding s, long agreed) {
        return new LenderCredit(s, agreed, 0, 0, 0, 0, agreed * 60_000, agreed * 60_000);
    }

    @Test
    void theFirstRecordNewStandingsAndAMinutesChangesAreLogged() {
        CreditLog log = new CreditLog();
        long t = 1_000;
        assertEquals("credit: 1 min CPU from 1 accepted result; standing: new",
                log.line(credit(LenderStanding.NEW, 1), t));
        assertNull(log.line(credit(LenderStanding.NEW, 2), t + 1));
        assertEquals(credit(LenderStanding.NEW, 2), log.last());
        assertEquals("credit: 3 min CPU from 3 accepted results; standing: trusted",
                log.line(credit(LenderStanding.TRUSTED, 3), t + 2));
        assertNull(log.line(credit(LenderStanding.TRUSTED, 4), t + CreditLog.QUIET_NANOS));
        assertEquals("credit: 5 min CPU from 5 accepted results; standing: trusted",
                log.line(credit(LenderStanding.TRUSTED, 5), t + 2 + CreditLog.QUIET_NANOS));
        // the same record again is not news, however late
        assertNull(log.line(credit(LenderStanding.TRUSTED, 5), t + 10 * CreditLog.QUIET_NANOS));
    }
}
