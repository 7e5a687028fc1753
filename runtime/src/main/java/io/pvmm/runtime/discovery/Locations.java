package io.pvmm.runtime.discovery;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Says where a class or a resource came from, the way messages and listings print it: the absolute
 * path of its jar or directory, {@code module <name>} for a class in a named module, or the class
 * loader when nothing better is known.
 */
public final class Locations {

    private Locations() {
    }

    /**
     * Where a class was loaded from.
     *
     * @param type a loaded class
     * @return {@code module <name>}, the jar or directory path, or {@code class loader <name>}
     */
    public static String of(Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed()) {
            return "module " + module.getName();
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return describe(type.getClassLoader());
        }
        return of(source.getLocation());
    }

    /**
     * The jar or directory a URL points into: {@code jar:file:/a/b.jar!/META-INF/x} and
     * {@code file:/a/b.jar} both give {@code /a/b.jar}.
     *
     * @param url a resource or code-source URL
     * @return the file-system path, or the URL itself when it is not a local file
     */
    public static String of(URL url) {
        String text = url.toString();
        if (text.startsWith("jar:")) {
            int bang = text.indexOf("!/");
            text = text.substring("jar:".length(), bang < 0 ? text.length() : bang);
        }
        try {
            URI uri = new URI(text);
            if ("file".equals(uri.getScheme())) {
                return Path.of(uri).toString();
            }
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return text;
        }
        return text;
    }

    /**
     * A class loader in words: its name, or the jars and directories of a URL class loader.
     *
     * @param loader a class loader, or {@code null} for the bootstrap loader
     * @return e.g. {@code class loader 'app'} or {@code class loader [/a.jar, /b.jar]}
     */
    public static String describe(ClassLoader loader) {
        if (loader == null) {
            return "the bootstrap class loader";
        }
        if (loader.getName() != null) {
            return "class loader '" + loader.getName() + "'";
        }
        if (loader instanceof URLClassLoader urls) {
            return "class loader " + Arrays.stream(urls.getURLs()).map(Locations::of)
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        return "class loader " + loader;
    }
}
