package io.pvmm.it;

import io.pvmm.guest.run.DetectionMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The table of {@code docs/detection-matrix.md}, as rows of cells. */
final class DetectionMatrixPage {

    private DetectionMatrixPage() {
    }

    /**
     * Reads the page's first table.
     *
     * @return its rows, header first, code spans removed
     * @throws IOException if the page cannot be read
     */
    static List<List<String>> rows() throws IOException {
        Path doc = Path.of(System.getProperty("pvmm.docs", "../docs"), "detection-matrix.md");
        List<String> lines = Files.readAllLines(doc);
        int start = 0;
        while (start < lines.size() && !lines.get(start).startsWith("| mode |")) {
            start++;
        }
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        return DetectionMatrix.parse(lines.subList(start, end));
    }
}
