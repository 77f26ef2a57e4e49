package dev.chatlab.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One step's chat server in this JVM, started as its tests start it
 * ({@code ChatServer.start(ChatConfig.forTests(...))}) from that step's own classes: every step names its
 * classes the same, so each is loaded in a class loader of its own.
 */
public final class StepServer implements AutoCloseable {
    private static final String PACKAGE = "dev.chatlab.chat.";
    private static final String SERVER_CLASS = "dev/chatlab/chat/ChatServer.class";

    private final String module;
    private final AutoCloseable server;
    private final URI httpUri;
    private final URI wsUri;
    private final URLClassLoader classes;

    private StepServer(String module, AutoCloseable server, URI httpUri, URI wsUri, URLClassLoader classes) {
        this.module = module;
        this.server = server;
        this.httpUri = httpUri;
        this.wsUri = wsUri;
        this.classes = classes;
    }

    /**
     * Starts the server of {@code module} (e.g. {@code "step2-rooms"}) on a free loopback port;
     * {@code forTestsArguments} go to its {@code ChatConfig.forTests} (step 3 takes the database file).
     */
    public static StepServer start(String module, Object... forTestsArguments) {
        URLClassLoader classes = new StepClasses(module, codeOf(module), StepServer.class.getClassLoader());
        try {
            Class<?> configType = classes.loadClass(PACKAGE + "ChatConfig");
            Class<?> serverType = classes.loadClass(PACKAGE + "ChatServer");
            Method forTests = Arrays.stream(configType.getMethods())
                    .filter(m -> m.getName().equals("forTests") && Modifier.isStatic(m.getModifiers()))
                    .filter(m -> m.getParameterCount() == forTestsArguments.length)
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(module + "'s ChatConfig has no forTests with "
                            + forTestsArguments.length + " arguments"));
            Object config = forTests.invoke(null, forTestsArguments);
            Object server = serverType.getMethod("start", configType).invoke(null, config);
            URI httpUri = (URI) serverType.getMethod("httpUri").invoke(server);
            URI wsUri = (URI) serverType.getMethod("wsUri").invoke(server);
            return new StepServer(module, (AutoCloseable) server, httpUri, wsUri, classes);
        } catch (InvocationTargetException e) {
            closeQuietly(classes);
            throw new IllegalStateException(module + " did not start", e.getCause());
        } catch (ReflectiveOperationException e) {
            closeQuietly(classes);
            throw new IllegalStateException(module + " does not look like a step (ChatConfig.forTests, ChatServer.start)", e);
        }
    }

    /** {@code http://127.0.0.1:PORT/}: the step's page, and from step 3 its HTTP API. */
    public URI httpUri() {
        return httpUri;
    }

    /** {@code ws://127.0.0.1:PORT/}. */
    public URI wsUri() {
        return wsUri;
    }

    public int port() {
        return httpUri.getPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException(module + " did not stop cleanly", e);
        } finally {
            closeQuietly(classes);
        }
    }

    @Override
    public String toString() {
        return module + " at " + httpUri;
    }

    /** Where the test class path holds {@code module}'s classes: its jar, or its {@code target/classes}. */
    private static URL codeOf(String module) {
        List<String> seen = new ArrayList<>();
        try {
            for (URL found : Collections.list(StepServer.class.getClassLoader().getResources(SERVER_CLASS))) {
                String text = found.toString();
                String root = text.startsWith("jar:")
                        ? text.substring("jar:".length(), text.indexOf("!/"))
                        : text.substring(0, text.length() - SERVER_CLASS.length());
                String name = root.substring(root.lastIndexOf('/') + 1);
                if (root.endsWith("/" + module + "/target/classes/")
                        || name.equals(module + ".jar") || name.startsWith(module + "-") && name.endsWith(".jar")) {
                    return new URL(root);
                }
                seen.add(root);
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException(module + " is not on the test class path (add it to browser-tests/pom.xml); "
                + "steps found: " + seen);
    }

    private static void closeQuietly(URLClassLoader classes) {
        try {
            classes.close();
        } catch (IOException e) {
            // Only open jar files are released here; the server itself is already stopped.
        }
    }

    /**
     * The step's own package comes from the step's own code, whatever else is on the class path; everything
     * else (Javalin, Jackson, SQLite) is shared with the tests.
     */
    private static final class StepClasses extends URLClassLoader {
        StepClasses(String module, URL code, ClassLoader parent) {
            super(module, new URL[] {code}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(PACKAGE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public URL getResource(String name) {
            URL own = findResource(name);
            return own != null ? own : super.getResource(name);
        }
    }
}
