package idle.db.repository;

/** Thrown when a user is added under a name that is already taken. */
public class DuplicateNameException extends RuntimeException {
    private final String name;

    public DuplicateNameException(String name) {
        super("the name '" + name + "' is taken");
        this.name = name;
    }

    public String name() {
        return name;
    }
}
