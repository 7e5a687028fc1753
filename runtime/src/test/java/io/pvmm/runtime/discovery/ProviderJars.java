package io.pvmm.runtime.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Writes provider jars and directories for discovery scenarios, and opens them in class loaders that
 * cannot see the test class path's own registrations or fixture classes, so that each scenario sees
 * exactly what it wrote.
 */
final class ProviderJars {

    /** The package whose classes are copied into jars and hidden from the test class path. */
    static final String FIXTURES = "io.pvmm.runtime.fixtures.";

    private ProviderJars() {
    }

    /**
     * Writes a jar holding the given classes and a service file with the given lines.
     *
     * @param jar          the jar to write
     * @param classes      fixture classes to copy in
     * @param serviceLines the lines of {@code META-INF/services/io.pvmm.api.BackendProvider}, none for no file
     * @return the jar's path
     */
    static Path jar(Path jar, List<Class<?>> classes, String... serviceLines) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> type : classes) {
                String entry = type.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                copyClass(type, out);
                out.closeEntry();
            }
            if (serviceLines.length > 0) {
                out.putNextEntry(new JarEntry(BackendDiscovery.SERVICE_FILE));
                out.write((String.join("\n", serviceLines) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * Writes a class directory holding the given classes and a service file.
     *
     * @param dir          the directory to fill
     * @param classes      fixture classes to copy in
     * @param serviceLines the service file's lines
     * @return the directory
     */
    static Path directory(Path dir, List<Class<?>> classes, String... serviceLines) throws IOException {
        for (Class<?> type : classes) {
            Path file = dir.resolve(type.getName().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                copyClass(type, out);
            }
        }
        Path service = dir.resolve(BackendDiscovery.SERVICE_FILE);
        Files.createDirectories(service.getParent());
        Files.writeString(service, String.join("\n", serviceLines) + "\n");
        return dir;
    }

    /**
     * A class loader over the given jars or directories whose parent hides the test class path's
     * provider registrations and fixture classes.
     *
     * @param parent a hiding parent from {@link #hidingParent()}, shared when loaders must share it
     * @param paths  jars or directories
     * @return the loader
     */
    static URLClassLoader loader(ClassLoader parent, Path... paths) {
        URL[] urls = new URL[paths.length];
        for (int i = 0; i < paths.length; i++) {
            try {
                urls[i] = paths[i].toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return new URLClassLoader(urls, parent);
    }

    /**
     * A loader over the given paths with its own hiding parent.
     *
     * @param paths jars or directories
     * @return the loader
     */
    static URLClassLoader loader(Path... paths) {
        return loader(hidingParent(), paths);
    }

    /**
     * Delegates to the test class path, except that it has no provider registrations and no
     * fixture classes: the native backend and the fixtures on the test class path stay invisible.
     *
     * @return the loader
     */
    static ClassLoader hidingParent() {
        return new ClassLoader("hiding", ProviderJars.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith(FIXTURES)) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }

            @Override
            public URL getResource(String name) {
                return hidden(name) ? null : super.getResource(name);
            }

            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return hidden(name) ? Collections.emptyEnumeration() : super.getResources(name);
            }

            private boolean hidden(String name) {
                return name.equals(BackendDiscovery.SERVICE_FILE) || name.startsWith(FIXTURES.replace('.', '/'));
            }
        };
    }

    private static void copyClass(Class<?> type, OutputStream out) throws IOException {
        String resource = "/" + type.getName().replace('.', '/') + ".class";
        try (InputStream in = ProviderJars.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no class file for " + type.getName());
            }
            in.transferTo(out);
        }
    }
}
