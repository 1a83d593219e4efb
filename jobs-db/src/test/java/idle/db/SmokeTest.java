package idle.db;

import static org.junit.jupiter.api.Assertions.*;

import idle.db.entity.Job;
import idle.db.entity.UserAccount;
import idle.shared.model.JobNeeds;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void basics() {
        long t0 = System.nanoTime();
        try (Database db = Database.open(DatabaseConfig.inMemory("smoke"))) {
            System.out.println("open ms " + (System.nanoTime() - t0) / 1e6);
            db.useTransaction(tx -> tx.users().add(new UserAccount("alice", "h", "s", "PBKDF2WithHmacSHA256", 1, false, 1)));
            long id = db.inTransaction(tx -> tx.jobs().add(new Job("alice", "a.py", "x", new byte[] {1, 2}, List.of("a", "b"), List.of(), JobNeeds.NONE, 5)).getId());
            assertTrue(id > 0);
            db.useTransaction(tx -> tx.audit().append(1, "alice", "RCS", 1, id, "SCF", "d", null));
            assertTrue(db.inTransaction(tx -> tx.audit().verify()).ok());
            assertEquals(List.of("a", "b"), db.inTransaction(tx -> tx.jobs().find(id).orElseThrow().getArgs()));
        }
        java.nio.file.Path dir = java.nio.file.Path.of("target/smoke-" + System.nanoTime());
        try (Database db = Database.open(DatabaseConfig.embedded(dir))) {
            db.useTransaction(tx -> tx.users().add(new UserAccount("alice", "h", "s", "PBKDF2WithHmacSHA256", 1, false, 1)));
        }
        System.out.println("---- reopen");
        t0 = System.nanoTime();
        try (Database db = Database.open(DatabaseConfig.embedded(dir))) {
            System.out.println("reopen ms " + (System.nanoTime() - t0) / 1e6);
            assertEquals(1L, (long) db.inTransaction(tx -> tx.users().count()));
        }
    }
}
