package dev.chatlab.bench.storage;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * Step 3's {@code dev.chatlab.chat.History}, opened and appended to through reflection.
 *
 * <p>Why reflection: {@code History}, {@code History.open} and {@code History.append} are package-private, and step 3's
 * only public way to an append is {@code ChatServer}, whose WebSocket round trip would add Javalin, the protocol and
 * the broadcast to what storage measures. Reaching them here keeps the bench out of step 3's package and step 3's code
 * as the workshop has it. The handles are made once, so an append costs what a direct call does once the JIT compiler
 * has inlined them.
 *
 * <p>Steps 4 to 7, test-scoped in the bench's pom, have Redis-backed {@code History} classes of their own in that
 * package; step 3 comes first on the bench's classpath and is the only one in {@code target/lib}.
 */
final class StepThreeHistory implements AutoCloseable {
    private static final MethodHandle OPEN;
    private static final MethodHandle APPEND;
    private static final MethodHandle CLOSE;

    static {
        try {
            Class<?> type = Class.forName("dev.chatlab.chat.History");
            OPEN = handle(type.getDeclaredMethod("open", Path.class))
                    .asType(MethodType.methodType(Object.class, Path.class));
            APPEND = handle(type.getDeclaredMethod("append", String.class, String.class, String.class, long.class))
                    .asType(MethodType.methodType(Object.class, Object.class, String.class, String.class, String.class, long.class));
            CLOSE = handle(type.getDeclaredMethod("close")).asType(MethodType.methodType(void.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object history;

    private StepThreeHistory(Object history) {
        this.history = history;
    }

    /** Opens (or creates) the SQLite file as step 3's server does: WAL, synchronous=NORMAL. */
    static StepThreeHistory open(Path file) {
        try {
            return new StepThreeHistory((Object) OPEN.invokeExact(file));
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    /** Stores one message; returns step 3's {@code Message} (its room's next seq and the rest). */
    Object append(String roomId, String from, String text, long sentAt) {
        try {
            return (Object) APPEND.invokeExact(history, roomId, from, text, sentAt);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    @Override
    public void close() {
        try {
            CLOSE.invokeExact(history);
        } catch (Throwable e) {
            throw rethrown(e);
        }
    }

    private static MethodHandle handle(Method method) throws IllegalAccessException {
        method.setAccessible(true);
        return MethodHandles.lookup().unreflect(method);
    }

    private static RuntimeException rethrown(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(e);
    }
}
