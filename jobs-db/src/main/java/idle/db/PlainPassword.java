package idle.db;

import org.eclipse.persistence.security.Securable;

/**
 * Tells EclipseLink that the database password it is given is the password itself. Its default
 * treats every password as possibly encrypted by its own tool and fails (EclipseLink-7360) when
 * one happens to decode as such; ours come from a password file, in clear. Instantiated by
 * EclipseLink ({@code eclipselink.login.encryptor}); stateless.
 */
public final class PlainPassword implements Securable {
    public PlainPassword() {
    }

    @Override
    public String encryptPassword(String password) {
        return password;
    }

    @Override
    public String decryptPassword(String password) {
        return password;
    }
}
