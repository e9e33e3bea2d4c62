package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.config.Secret;
import com.dts.apm.store.IntegrationInput;
import com.dts.apm.store.NewIntegration;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code integrations import FILE.csv}: validates the whole file first and imports nothing when any row
 * is bad; a mailbox already stored is updated. All rows land in one transaction.
 */
@Command(
        name = "import",
        description = "Add or update mailboxes from a CSV file (all rows or none).",
        mixinStandardHelpOptions = true)
final class ImportCommand implements Callable<Integer> {
    static final List<String> COLUMNS = List.of(
            "dealer_id",
            "dealer_name",
            "contact_email",
            "email",
            "provider",
            "username",
            "imap_host",
            "imap_port",
            "imap_security",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "protocols",
            "enabled",
            "admin_email",
            "external_id",
            "password",
            "auth",
            "refresh_token",
            "oauth_app");
    /** About half a million rows; more is no dealer list but a wrong file. */
    static final int MAX_FILE_BYTES = 64 << 20;

    /** Besides these, a {@code password} column, or {@code refresh_token} for rows with {@code auth} oauth2. */
    static final Set<String> REQUIRED = Set.of("dealer_id", "email");

    @ParentCommand
    IntegrationsCommand parent;

    @Parameters(paramLabel = "FILE.csv")
    Path file;

    @Override
    public Integer call() {
        var terminal = parent.root.terminal;
        var text = readUtf8(file);
        var ws = parent.root.workspace();
        var rows = new ArrayList<NewIntegration>();
        var passwords = new ArrayList<Secret>();
        var externalIds = new ArrayList<String>();
        var signIns = new ArrayList<com.dts.apm.store.SignIn>();
        var apps = ws.config().oauth().keySet();
        var seenExternal = new HashMap<String, Integer>();
        var errors = new ArrayList<String>();
        var seen = new HashMap<String, Integer>();
        int warnings = 0;
        try (MappingIterator<Map<String, String>> it = new CsvMapper()
                .enable(CsvParser.Feature.TRIM_SPACES)
                .readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader())
                .readValues(text)) {
            int columns = checkHeader(it);
            int line = 1;
            while (it.hasNextValue()) {
                line++;
                Map<String, String> row;
                try {
                    row = it.nextValue();
                } catch (IOException | RuntimeException e) {
                    errors.add("line " + line + ": " + parseError(e));
                    continue;
                }
                if (row.values().stream().allMatch(IntegrationInput::blank)) {
                    continue;
                }
                if (row.size() != columns) {
                    errors.add("line " + line + ": " + row.size() + " value(s) but the header has " + columns
                            + " columns");
                    continue;
                }
                try {
                    var oauth =
                            com.dts.apm.provider.Auth.parseOrBad(row.get("auth")) == com.dts.apm.provider.Auth.OAUTH2;
                    if (oauth != !IntegrationInput.blank(row.get("refresh_token"))) {
                        throw new BadInputException(
                                oauth ? "auth oauth2 needs a refresh_token" : "a refresh_token needs auth oauth2");
                    }
                    if (oauth && !IntegrationInput.blank(row.get("password"))) {
                        throw new BadInputException("auth oauth2 takes a refresh_token, not a password");
                    }
                    if (!oauth && !IntegrationInput.blank(row.get("oauth_app"))) {
                        throw new BadInputException("an oauth_app needs auth oauth2");
                    }
                    var valid = oauth
                            ? input(row).validate(ws.catalog(), null, IntegrationInput.Labels.CLI, false)
                            : input(row).validate(ws.catalog(), row.get("password"));
                    var signIn = com.dts.apm.store.SignIn.PASSWORD;
                    Secret secret = valid.password();
                    if (oauth) {
                        signIn = com.dts.apm.store.SignIn.oauth2(
                                row.get("oauth_app"), valid.provider().id(), apps, "an oauth_app");
                        var token = row.get("refresh_token").strip();
                        if (token.chars().anyMatch(c -> Character.isISOControl(c) || c == ' ')) {
                            throw new BadInputException("refresh_token holds spaces or control characters");
                        }
                        secret = Secret.of(token);
                    }
                    var key = valid.integration().email().toLowerCase(Locale.ROOT);
                    var first = seen.putIfAbsent(key, line);
                    if (first != null) {
                        throw new BadInputException(
                                "mailbox " + valid.integration().email() + " is already on line " + first);
                    }
                    var ext = IntegrationInput.externalId(row.get("external_id"));
                    if (ext != null) {
                        var firstExt = seenExternal.putIfAbsent(ext, line);
                        if (firstExt != null) {
                            throw new BadInputException("external id " + ext + " is already on line " + firstExt);
                        }
                    }
                    rows.add(valid.integration());
                    passwords.add(secret);
                    signIns.add(signIn);
                    externalIds.add(ext);
                    for (var w : valid.warnings()) {
                        terminal.err().println("warning: line " + line + ": " + w.message());
                        warnings++;
                    }
                } catch (BadInputException e) {
                    errors.add("line " + line + ": " + e.getMessage());
                }
                if (terminal.errIsTty() && line % 500 == 0) {
                    terminal.err().print("\rvalidated " + (line - 1) + " rows");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) {
                throw b;
            }
            throw new BadInputException(file + ": not a readable CSV file: " + parseError(e));
        }
        if (!errors.isEmpty()) {
            errors.forEach(e -> terminal.err().println(file + ": " + e));
            throw new BadInputException(file + ": " + errors.size() + " bad row(s); nothing was imported");
        }
        if (rows.isEmpty()) {
            throw new BadInputException(file + ": no data rows; nothing was imported");
        }
        var counts = ws.integrations().importAll(rows, passwords, externalIds, signIns);
        terminal.out()
                .printf(
                        "imported %s: %d added, %d updated%s%n",
                        file,
                        counts.added(),
                        counts.updated(),
                        warnings == 0 ? "" : " (" + warnings + " warning(s) above)");
        terminal.err()
                .println("note: " + file
                        + " holds passwords in plain text; delete it now that they are stored encrypted");
        return 0;
    }

    /** Refuses unknown and missing columns; returns the number of columns. */
    private int checkHeader(MappingIterator<Map<String, String>> it) throws IOException {
        if (!it.hasNextValue() && it.getParserSchema() == null) {
            throw new BadInputException(file + ": no header row");
        }
        var schema = (CsvSchema) it.getParserSchema();
        var header = new ArrayList<String>();
        schema.forEach(c -> header.add(c.getName()));
        var unknown = header.stream().filter(h -> !COLUMNS.contains(h)).toList();
        if (!unknown.isEmpty()) {
            throw new BadInputException(file + ": unknown column(s) " + String.join(", ", unknown) + " (known: "
                    + String.join(", ", COLUMNS) + ")");
        }
        var missing = new ArrayList<>(
                REQUIRED.stream().filter(r -> !header.contains(r)).sorted().toList());
        if (!header.contains("password") && !header.contains("refresh_token")) {
            missing.add("password");
        }
        if (!missing.isEmpty()) {
            throw new BadInputException(file + ": missing column(s) " + String.join(", ", missing)
                    + " (required: dealer_id, email, password; refresh_token instead of password for auth oauth2)");
        }
        return header.size();
    }

    private static IntegrationInput input(Map<String, String> row) {
        return new IntegrationInput(
                row.get("dealer_id"),
                row.get("dealer_name"),
                row.get("contact_email"),
                row.get("email"),
                row.get("provider"),
                row.get("username"),
                row.get("imap_host"),
                row.get("imap_port"),
                row.get("imap_security"),
                row.get("smtp_host"),
                row.get("smtp_port"),
                row.get("smtp_security"),
                row.get("protocols"),
                row.get("enabled"),
                false,
                row.get("admin_email"),
                null); // the external_id column is read apart: it is checked for duplicates within the file
    }

    /** The whole file as text; refuses a missing, empty or non-UTF-8 file. A leading BOM is dropped. */
    static String readUtf8(Path file) {
        byte[] bytes;
        try (var in = Files.newInputStream(file)) {
            // bounded: a device (/dev/zero) or a runaway export must not exhaust memory
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new BadInputException(
                        file + ": larger than " + (MAX_FILE_BYTES >> 20) + " MB; split it into several imports");
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file does not exist");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new BadInputException(file + ": the file is empty");
        }
        try {
            var text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + ": not UTF-8 text (save it as CSV UTF-8)");
        }
    }

    /**
     * The CSV parser's complaint without the values it quotes: Jackson names the offending value
     * ({@code Too many entries: ... (value #4 (16 chars) "..."))}, and in a row of this file that is often
     * the password, shifted by an unquoted comma.
     */
    static String parseError(Exception e) {
        var message = firstLine(e.getMessage());
        if (message.startsWith("Too many entries")) {
            return "more values than the header has columns (a value holding a comma needs double quotes)";
        }
        return message.replaceAll("\\(value #\\d+ \\(\\d+ chars\\) \".*\"\\)", "")
                .replaceAll("\"[^\"]*\"", "\"...\"")
                .replaceAll("'[^']*'", "'...'");
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }
}
