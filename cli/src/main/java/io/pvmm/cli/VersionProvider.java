package io.pvmm.cli;

import io.pvmm.api.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** Answers {@code --version}: the project's version, written into the jar at build time, and the SPI version. */
final class VersionProvider implements CommandLine.IVersionProvider {

    /**
     * The project's version.
     *
     * @return e.g. {@code 1.0.0-SNAPSHOT}
     */
    static String projectVersion() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"pvmm " + projectVersion(), "SPI version " + SpiVersion.CURRENT};
    }
}
