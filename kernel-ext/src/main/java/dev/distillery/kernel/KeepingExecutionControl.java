package dev.distillery.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jshell.execution.DirectExecutionControl;

/**
 * Runs snippets in this JVM on a cell thread ({@link CellRunner}) and keeps each snippet's value as
 * the object itself, not its string, so the kernel can render it; the exception a snippet throws is
 * kept the same way.
 */
final class KeepingExecutionControl extends DirectExecutionControl {

    private static final String KEY_PREFIX = "\u0000distillery-value-";
    private final AtomicLong counter = new AtomicLong();
    private volatile String lastKey;
    private volatile Object lastValue;
    private volatile Throwable lastThrown;

    private final CellRunner runner;

    KeepingExecutionControl(SnippetLoader loader, CellRunner runner) {
        super(loader);
        this.runner = runner;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        lastThrown = null;
        try {
            Object value = runner.run(() -> doitMethod.invoke(null));
            String key = KEY_PREFIX + counter.incrementAndGet();
            lastKey = key;
            lastValue = value;
            return key;
        } catch (InvocationTargetException e) {
            lastThrown = e.getCause();
            throw e;
        }
    }

    /** The object behind a value string JShell reported, or null when the string is not ours. */
    Object value(String key) {
        return key != null && key.equals(lastKey) ? lastValue : null;
    }

    /** The exception the last snippet threw, as thrown. */
    Throwable lastThrown() {
        return lastThrown;
    }

    void forget() {
        lastKey = null;
        lastValue = null;
        lastThrown = null;
    }
}
