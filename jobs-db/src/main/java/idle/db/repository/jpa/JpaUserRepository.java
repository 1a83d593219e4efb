package idle.db.repository.jpa;

import idle.db.entity.UserAccount;
import idle.db.repository.DuplicateNameException;
import idle.db.repository.UserRepository;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** {@link UserRepository} on a plain EntityManager. */
public final class JpaUserRepository implements UserRepository {
    private final EntityManager em;

    public JpaUserRepository(EntityManager em) {
        this.em = em;
    }

    @Override
    public Optional<UserAccount> findByName(String name) {
        return em.createQuery("SELECT u FROM UserAccount u WHERE u.name = :name", UserAccount.class)
                .setParameter("name", name)
                .getResultList()
                .stream()
                .findFirst();
    }

    @Override
    public UserAccount add(UserAccount user) {
        if (findByName(user.getName()).isPresent()) {
            throw new DuplicateNameException(user.getName());
        }
        em.persist(user);
        try {
            em.flush(); // a concurrent add of the same name fails here
        } catch (PersistenceException e) {
            if (isUniqueViolation(e)) {
                throw new DuplicateNameException(user.getName());
            }
            throw e;
        }
        return user;
    }

    @Override
    public List<UserAccount> all() {
        return em.createQuery("SELECT u FROM UserAccount u ORDER BY u.name", UserAccount.class)
                .getResultList();
    }

    @Override
    public long count() {
        return em.createQuery("SELECT COUNT(u) FROM UserAccount u", Long.class).getSingleResult();
    }

    @Override
    public boolean remove(String name) {
        return em.createQuery("DELETE FROM UserAccount u WHERE u.name = :name")
                .setParameter("name", name)
                .executeUpdate() > 0;
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
