package dev.distillery.kernel;

import java.security.Permission;

/**
 * Keeps notebook code from ending the kernel: {@code System.exit} and {@code Runtime.halt}, from a
 * cell or from any thread it started, fail with a {@link SecurityException} that says so, and the
 * session with every variable, teacher and student lives on. The kernel itself may exit once it is
 * shutting down ({@link #allowExit}). Every other permission is granted.
 *
 * <p>A security manager rather than a Java agent: the project runs on Java 17, where installing one
 * needs only {@code -Djava.security.manager=allow} (in the kernelspec) and no bytecode rewriting of
 * {@code java.lang.Runtime}. JDK 24 removes security managers; an agent that instruments
 * {@code Runtime.exit} and {@code halt} is the way there.
 */
@SuppressWarnings("removal") // SecurityManager is deprecated for removal; see the class comment for why it is used
final class ExitGuard extends SecurityManager {

    private static volatile boolean exitAllowed;

    private ExitGuard() {}

    /** Installs the guard; false (and nothing changes) when the JVM does not allow a security manager. */
    static boolean install() {
        try {
            System.setSecurityManager(new ExitGuard());
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            System.err.println("distillery kernel: System.exit in a cell will end the kernel (" + e.getMessage()
                    + "); start it with -Djava.security.manager=allow");
            return false;
        }
    }

    /** The kernel is shutting down: from now on the JVM may exit. */
    static void allowExit() {
        exitAllowed = true;
    }

    @Override
    public void checkExit(int status) {
        if (!exitAllowed) {
            throw new SecurityException("exit(" + status + ") refused: it would end the kernel and every variable, "
                    + "teacher and student in the session. Return from the cell instead, or restart the kernel "
                    + "(Kernel → Restart) to start afresh.");
        }
    }

    @Override
    public void checkPermission(Permission perm) {
        // everything else is allowed
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        // everything else is allowed
    }
}
