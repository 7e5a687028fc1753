package io.pvmm.backend.nativeops;

import static org.assertj.core.api.Assertions.assertThat;

import io.pvmm.api.BackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The native backend's registration")
class ServiceRegistrationTest {

    private static final String SERVICE_FILE = "META-INF/services/" + BackendProvider.class.getName();

    /** Reads a file from the compiled module: the classes directory, or the jar. */
    private static <T> T fromCompiledModule(String name, Function<Path, T> reader) throws Exception {
        Path location = Path.of(NativeProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(location)) {
            return reader.apply(location.resolve(name));
        }
        try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + location.toUri()), Map.of())) {
            return reader.apply(jar.getPath(name));
        }
    }

    private static List<String> serviceFileProviders(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(line -> line.replaceFirst("#.*", "").trim()).filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + "; AutoService should have generated it", e);
        }
    }

    private static List<String> moduleInfoProviders(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return ModuleDescriptor.read(in).provides().stream()
                    .filter(p -> p.service().equals(BackendProvider.class.getName()))
                    .flatMap(p -> p.providers().stream()).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    @Test
    @DisplayName("the generated META-INF/services file and module-info's provides name the same single class")
    void serviceFileAndModuleInfoAgree() throws Exception {
        List<String> fromServiceFile = fromCompiledModule(SERVICE_FILE, ServiceRegistrationTest::serviceFileProviders);
        List<String> fromModuleInfo = fromCompiledModule("module-info.class", ServiceRegistrationTest::moduleInfoProviders);

        assertThat(fromServiceFile).containsExactly(NativeProvider.class.getName());
        assertThat(fromModuleInfo).isEqualTo(fromServiceFile);
    }
}
