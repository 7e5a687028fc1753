package io.pvmm.runtime.plugin;

import io.pvmm.api.BackendProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles Java sources written by a test and packs them, with any extra entries, into a jar. Shared
 * with the cli's tests through this module's test jar.
 */
public final class TestJars {

    private TestJars() {
    }

    /**
     * Compiles sources against the SPI and writes a jar of the classes and the extra entries.
     *
     * @param work    a scratch directory
     * @param jar     the jar to write
     * @param sources source text by path, e.g. {@code com/acme/AcmeProvider.java}
     * @param extra   other entries by name, e.g. the service file
     * @return the jar
     */
    public static Path jar(Path work, Path jar, Map<String, String> sources, Map<String, String> extra) throws IOException {
        Path src = Files.createTempDirectory(work, "src");
        Path classes = Files.createTempDirectory(work, "classes");
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-classpath", spiLocation().toString(), "-nowarn"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac.run(null, null, null, args.toArray(new String[0])) != 0) {
            throw new IllegalStateException("the test's sources do not compile");
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            for (Map.Entry<String, String> e : extra.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** @return the jar or directory the SPI classes come from */
    public static Path spiLocation() {
        try {
            return Path.of(BackendProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the SPI's classes into an open jar, as a backend that bundles the SPI would.
     *
     * @param out the jar
     */
    public static void copySpi(JarOutputStream out) throws IOException {
        Path spi = spiLocation();
        if (Files.isDirectory(spi)) {
            try (Stream<Path> files = Files.walk(spi.resolve("io/pvmm/api"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(spi.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, (OutputStream) out);
                    out.closeEntry();
                }
            }
            return;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(spi.toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                if (e.getName().startsWith("io/pvmm/api/") && !e.isDirectory()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    jar.getInputStream(e).transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    /** A provider's source: a native-like backend named {@code name} whose description is {@code description}. */
    public static String provider(String pkg, String cls, String name, String description, String spiVersion) {
        return "package " + pkg + ";\n"
                + "import io.pvmm.api.*;\n"
                + "import java.util.*;\n"
                + "public final class " + cls + " implements BackendProvider {\n"
                + "  public String name() { return \"" + name + "\"; }\n"
                + "  public String description() { return " + description + "; }\n"
                + "  public String spiVersion() { return \"" + spiVersion + "\"; }\n"
                + "  public Set<PagingMode> pagingModes() { return EnumSet.allOf(PagingMode.class); }\n"
                + "  public ParavirtOps create(BackendContext c) {\n"
                + "    GuestMemory m = c.memory();\n"
                + "    return new ParavirtOps() {\n"
                + "      public void allocPt(long pfn) { }\n"
                + "      public void allocPd(long pfn) { }\n"
                + "      public void allocPdClone(long pfn, long clonePfn, int start, int count) { }\n"
                + "      public void releasePt(long pfn) { }\n"
                + "      public void releasePd(long pfn) { }\n"
                + "      public void setPte(long pa, long v) { m.writeEntry(pa, v); }\n"
                + "      public void setPmd(long pa, long v) { m.writeEntry(pa, v); }\n"
                + "      public Map<String, Long> counters() { return Map.of(\"" + name + "-calls\", 1L); }\n"
                + "    };\n"
                + "  }\n"
                + "}\n";
    }
}
