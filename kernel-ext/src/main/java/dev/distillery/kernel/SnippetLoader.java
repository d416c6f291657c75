package dev.distillery.kernel;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;
import jdk.jshell.spi.ExecutionControl.InternalException;

/**
 * Loads the classes JShell compiles for each snippet, in the kernel's own JVM, on top of the
 * kernel's class loader; {@code %classpath}, {@code %jars} and {@code %maven} add to it.
 */
final class SnippetLoader implements LoaderDelegate {

    private static final class Loader extends URLClassLoader {
        private final Map<String, byte[]> declared = new ConcurrentHashMap<>();

        Loader(ClassLoader parent) {
            super("distillery-snippets", new URL[0], parent);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = declared.get(name);
            return b == null ? super.findClass(name) : defineClass(name, b, 0, b.length);
        }

        @Override
        protected void addURL(URL url) {
            super.addURL(url);
        }
    }

    private final Loader loader;
    private final Map<String, Class<?>> loaded = new ConcurrentHashMap<>();

    SnippetLoader(ClassLoader parent) {
        this.loader = new Loader(parent);
    }

    ClassLoader classLoader() {
        return loader;
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException {
        boolean[] installed = new boolean[cbcs.length];
        for (ClassBytecodes c : cbcs) {
            loader.declared.put(c.name(), c.bytecodes());
        }
        int i = 0;
        try {
            for (ClassBytecodes c : cbcs) {
                loaded.put(c.name(), Class.forName(c.name(), false, loader));
                installed[i++] = true;
            }
        } catch (Throwable e) {
            throw new ClassInstallException("cannot load snippet class: " + e, installed);
        }
    }

    @Override
    public void classesRedefined(ClassBytecodes[] cbcs) {
        for (ClassBytecodes c : cbcs) {
            loader.declared.put(c.name(), c.bytecodes());
        }
    }

    @Override
    public void addToClasspath(String path) throws InternalException {
        for (String p : path.split(java.io.File.pathSeparator)) {
            if (p.isBlank()) {
                continue;
            }
            try {
                loader.addURL(Path.of(p).toUri().toURL());
            } catch (MalformedURLException e) {
                throw new InternalException("not a usable class path entry: " + p);
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> c = loaded.get(name);
        return c != null ? c : Class.forName(name, false, loader);
    }
}
