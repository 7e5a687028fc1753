package io.pvmm.runtime.config;

import io.pvmm.runtime.error.PvmmError;
import io.pvmm.runtime.error.PvmmException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads a configuration file in the Java properties format, in UTF-8, keeping the line number of
 * every key so a message can point at it. Each logical line (continuation lines included) is parsed
 * by {@link Properties} itself, so escapes and separators mean what they always mean.
 */
final class PropertiesFile {

    /**
     * One key of the file.
     *
     * @param key   the key as written, e.g. {@code pvmm.backend}
     * @param value the value, unescaped
     * @param line  the line the entry starts on, from 1
     */
    record Entry(String key, String value, int line) {
    }

    private PropertiesFile() {
    }

    /**
     * Reads the file's entries, in file order.
     *
     * @param file   the file, absolute
     * @param source what named the file, for the message
     * @return the entries
     * @throws PvmmException {@link PvmmError#CONFIG_FILE_UNREADABLE} if the file is missing,
     *                       unreadable, not UTF-8, or a line cannot be parsed
     */
    static List<Entry> read(Path file, ConfigSource source) {
        List<String> lines;
        try {
            if (Files.isDirectory(file)) {
                throw unreadable(file, source, "It is a directory, not a file.", null);
            }
            lines = readLines(file, source);
        } catch (NoSuchFileException e) {
            throw unreadable(file, source, "No such file.", e);
        } catch (CharacterCodingException e) {
            throw unreadable(file, source, "It is not valid UTF-8 text.", e);
        } catch (IOException e) {
            throw unreadable(file, source, "It cannot be read: " + PvmmException.describe(e) + ".", e);
        }
        List<Entry> entries = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            int start = i;
            StringBuilder logical = new StringBuilder(lines.get(i));
            boolean comment = isCommentOrBlank(lines.get(i));
            while (!comment && continues(lines.get(i)) && i + 1 < lines.size()) {
                i++;
                logical.append('\n').append(lines.get(i));
            }
            i++;
            if (comment) {
                continue;
            }
            Properties one = new Properties();
            try {
                one.load(new StringReader(logical.toString()));
            } catch (IOException | IllegalArgumentException e) {
                throw unreadable(file, source, "Line " + (start + 1) + " cannot be parsed: " + e.getMessage(), e);
            }
            for (String key : one.stringPropertyNames()) {
                entries.add(new Entry(key, one.getProperty(key), start + 1));
            }
        }
        return entries;
    }

    /**
     * Refuses an empty configuration file name, which would name the working directory.
     *
     * @param named the value of the {@code config} key
     * @return the value
     * @throws PvmmException {@link PvmmError#CONFIG_FILE_UNREADABLE} if the name is empty, naming the name
     *                       as given, not the directory it would resolve to
     */
    static ConfigValue requireName(ConfigValue named) {
        if (named.value().isBlank()) {
            throw new PvmmException(PvmmError.CONFIG_FILE_UNREADABLE, named.source().description(), Map.of("path",
                    "'" + named.value() + "'", "problem", "The file name is empty: give the path of a configuration file, or leave the option out."),
                    null);
        }
        return named;
    }

    /** The largest configuration file read: a configuration is a few dozen lines of key=value. */
    static final int MAX_BYTES = 1 << 20;

    private static List<String> readLines(Path file, ConfigSource source) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1); // bounded: /dev/zero or a sparse file must not fill memory
        }
        if (bytes.length > MAX_BYTES) {
            throw unreadable(file, source, "It is longer than " + (MAX_BYTES >> 20) + " MiB, the most a configuration file may be "
                    + "(is it a text file?).", null);
        }
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        return text.lines().toList();
    }

    private static boolean isCommentOrBlank(String line) {
        String t = line.stripLeading();
        return t.isEmpty() || t.charAt(0) == '#' || t.charAt(0) == '!';
    }

    /** A line continues when it ends with an odd number of backslashes. */
    private static boolean continues(String line) {
        int n = 0;
        for (int j = line.length() - 1; j >= 0 && line.charAt(j) == '\\'; j--) {
            n++;
        }
        return n % 2 == 1;
    }

    static PvmmException unreadable(Path file, ConfigSource source, String problem, Throwable cause) {
        return new PvmmException(PvmmError.CONFIG_FILE_UNREADABLE, source.description(),
                Map.of("path", file.toString(), "problem", problem), cause);
    }
}
