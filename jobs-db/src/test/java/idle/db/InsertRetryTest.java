package idle.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import idle.db.entity.Job;
import org.junit.jupiter.api.Test;

/**
 * A job insert retried after its transaction failed keeps the id it was given (the server's
 * store writer may have sent that id to a lender before the commit), is stored once, and ids
 * are never handed out twice.
 */
class InsertRetryTest {
    @Test
    void aRetriedInsertKeepsItsIdAndIsStoredOnce() {
        try (Database db = Database.open(TestDatabases.freshOnDisk())) {
            Job j = TestDatabases.job("alice", "retried.py");
            long[] first = new long[1];
            assertThrows(IllegalStateException.class, () -> db.useTransaction(tx -> {
                first[0] = tx.jobs().insert(j);
                tx.flush(); // the row was sent; the transaction fails after it
                throw new IllegalStateException("the commit failed");
            }));
            assertTrue(first[0] > 0);
            assertTrue(db.inTransaction(tx -> tx.jobs().find(first[0])).isEmpty(),
                    "rolled back");
            long again = db.inTransaction(tx -> tx.jobs().insert(j));
            assertEquals(first[0], again, "the retry keeps the id");
            assertEquals("retried.py", db.inTransaction(tx -> tx.jobs().find(again))
                    .orElseThrow().getScriptName());
            long other = db.inTransaction(tx -> tx.jobs().insert(TestDatabases.job("alice",
                    "new.py")));
            assertNotEquals(again, other, "a new job gets a new id");
            assertEquals(2L, (long) db.inTransaction(tx -> tx.jobs().count()));
        }
    }
}
