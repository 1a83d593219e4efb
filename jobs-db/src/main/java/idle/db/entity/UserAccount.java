package idle.db.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/**
 * A runner, lender or admin account. The password is never stored: only a salted hash made with
 * {@link #getHashAlgorithm()} (e.g. "PBKDF2WithHmacSHA256") over {@link #getIterations()} rounds;
 * hash and salt are Base64 text. Names are unique.
 */
@Entity
@Table(name = "USER_ACCOUNT", uniqueConstraints = @UniqueConstraint(name = "USER_ACCOUNT_NAME_UQ",
        columnNames = "NAME"))
public class UserAccount {
    @Id
    @SequenceGenerator(name = "USER_SEQ", sequenceName = "USER_SEQ", allocationSize = 20)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "USER_SEQ")
    @Column(name = "ID")
    private long id;

    @Column(name = "NAME", nullable = false, length = 200)
    private String name;

    @Column(name = "PASSWORD_HASH", nullable = false, length = 200)
    private String passwordHash = "";

    @Column(name = "SALT", nullable = false, length = 200)
    private String salt = "";

    @Column(name = "HASH_ALGORITHM", nullable = false, length = 64)
    private String hashAlgorithm = "PBKDF2WithHmacSHA256";

    @Column(name = "ITERATIONS", nullable = false)
    private int iterations;

    @Column(name = "IS_ADMIN", nullable = false)
    private boolean admin;

    @Column(name = "ENABLED", nullable = false)
    private boolean enabled = true;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    /** Replicas of this user's jobs when a submission asks for the default; 0: the server's. */
    @Column(name = "VERIFY_DEFAULT", nullable = false, columnDefinition = "SMALLINT DEFAULT 0 NOT NULL")
    private short verifyDefault;

    public UserAccount() {
    }

    public UserAccount(String name, String passwordHash, String salt, String hashAlgorithm,
            int iterations, boolean admin, long createdAt) {
        this.name = name;
        this.passwordHash = passwordHash;
        this.salt = salt;
        this.hashAlgorithm = hashAlgorithm;
        this.iterations = iterations;
        this.admin = admin;
        this.createdAt = createdAt;
    }

    /** Replicas of this user's jobs by default (0: the server's default). */
    public int getVerifyDefault() {
        return verifyDefault;
    }

    public void setVerifyDefault(int replicas) {
        this.verifyDefault = (short) replicas;
    }

    /** Generated when added; 0 before. */
    public long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** Base64 of the derived key. */
    public String getPasswordHash() {
        return passwordHash;
    }

    public void setPasswordHash(String passwordHash) {
        this.passwordHash = passwordHash;
    }

    /** Base64 of the salt. */
    public String getSalt() {
        return salt;
    }

    public void setSalt(String salt) {
        this.salt = salt;
    }

    public String getHashAlgorithm() {
        return hashAlgorithm;
    }

    public void setHashAlgorithm(String hashAlgorithm) {
        this.hashAlgorithm = hashAlgorithm;
    }

    public int getIterations() {
        return iterations;
    }

    public void setIterations(int iterations) {
        this.iterations = iterations;
    }

    public boolean isAdmin() {
        return admin;
    }

    public void setAdmin(boolean admin) {
        this.admin = admin;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Epoch milliseconds. */
    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }

    @Override
    public String toString() {
        return "UserAccount[" + id + ", " + name + (admin ? ", admin" : "") + (enabled ? "" : ", disabled") + "]";
    }
}
