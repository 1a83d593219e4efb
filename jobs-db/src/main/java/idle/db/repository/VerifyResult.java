package idle.db.repository;

/**
 * The outcome of walking the audit chain.
 *
 * @param ok true when every row's hash and link are right
 * @param rowsChecked rows read (up to and including the first broken one)
 * @param firstBrokenId id of the first row found wrong, or null when ok
 * @param reason why that row is wrong, or "" when ok
 */
public record VerifyResult(boolean ok, long rowsChecked, Long firstBrokenId, String reason) {
    public static VerifyResult ok(long rowsChecked) {
        return new VerifyResult(true, rowsChecked, null, "");
    }

    public static VerifyResult broken(long rowsChecked, long id, String reason) {
        return new VerifyResult(false, rowsChecked, id, reason);
    }
}
