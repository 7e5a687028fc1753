package io.pvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTML report as a browser draws it: headless Chromium (Debian's chromium package, which .ci/run
 * installs) renders it to a PNG, and the picture is checked for layout, width and emptiness. Skipped,
 * with the reason printed, only where no browser can be had.
 */
@DisplayName("the HTML report in a browser")
class ReportScreenshotTest {

    private static final int HEIGHT = 2400;

    @TempDir
    static Path dir;

    private static Path report;
    private static String browser;

    @BeforeAll
    static void writeReport() {
        browser = findBrowser();
        if (browser == null) {
            System.out.println("ReportScreenshotTest skipped: no chromium on PATH or at /usr/bin/chromium (apt-get install -y chromium)");
        }
        Assumptions.assumeTrue(browser != null, "no chromium on PATH or at /usr/bin/chromium (apt-get install -y chromium)");
        CliRunner.Result r = new CliRunner(dir).run("compare", "--backends", "native,xen,vmi", "--mode", "both", "--workload", "fork-exit",
                "--set", "workload.processes=4", "--set", "workload.iterations=2", "--bugs", "leak-pgd,skip-release-pt",
                "--html", "report.html", "--quiet");
        assertThat(r.exitCode()).as(r.err()).isIn(0, 4);
        report = dir.resolve("report.html");
    }

    private static String findBrowser() {
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(entry.isEmpty() ? "." : entry, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    }

    @ParameterizedTest(name = "{0} pixels wide")
    @ValueSource(ints = {1280, 820})
    @DisplayName("fills the window's width without spilling over its edge, summary at the top, and is far from empty")
    void layout(int width) throws Exception {
        BufferedImage shot = screenshot(width);
        int background = shot.getRGB(2, HEIGHT - 2);
        int[] columns = new int[width];
        int[] rows = new int[HEIGHT];
        long ink = 0;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < width; x++) {
                if (!near(shot.getRGB(x, y), background)) {
                    columns[x]++;
                    rows[y]++;
                    ink++;
                }
            }
        }
        int left = first(columns);
        int right = last(columns);

        assertThat(shot.getWidth()).isEqualTo(width);
        assertThat((double) ink / ((long) width * HEIGHT)).as("share of the page drawn on").isGreaterThan(0.03);
        assertThat(left).as("left margin").isBetween(4, width / 8);
        assertThat(width - 1 - right).as("right margin: nothing cut off at the window's edge").isGreaterThanOrEqualTo(4);
        assertThat(right - left).as("content width").isGreaterThan(width / 2);
        assertThat(first(rows)).as("the title and summary start at the top").isLessThan(80);
        assertThat(sum(rows, 0, 600)).as("the summary is drawn in the first 600 pixels").isGreaterThan(width * 10);
    }

    private static BufferedImage screenshot(int width) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(dir.resolve("profile-" + width));
        Path png = dir.resolve("report-" + width + ".png");
        List<String> command = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=" + width + "," + HEIGHT,
                report.toUri().toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("chromium-" + width + ".log").toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + String.join(" ", command));
        }
        assertThat(Files.exists(png)).as("chromium wrote a screenshot; its output: "
                + Files.readString(dir.resolve("chromium-" + width + ".log"))).isTrue();
        return ImageIO.read(png.toFile());
    }

    private static boolean near(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > 12) {
                return false;
            }
        }
        return true;
    }

    private static int first(int[] counts) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                return i;
            }
        }
        return counts.length;
    }

    private static int last(int[] counts) {
        for (int i = counts.length - 1; i >= 0; i--) {
            if (counts[i] > 0) {
                return i;
            }
        }
        return -1;
    }

    private static long sum(int[] counts, int from, int to) {
        long s = 0;
        for (int i = from; i < Math.min(to, counts.length); i++) {
            s += counts[i];
        }
        return s;
    }
}
