package idle.bench;

/** The baseline of the server-start figure: a JVM that prints one line and exits. */
public final class TrivialMain {
    private TrivialMain() {
    }

    public static void main(String[] args) {
        System.out.println("IDLE server listening on 127.0.0.1:0 (trivial JVM)");
    }
}
