package com.dts.apm.probe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes a server reply or an error message safe to store, log and email: the password and the
 * base64 forms a client sends (AUTH LOGIN, AUTH PLAIN) are removed, control characters go, and the
 * text is cut to {@value #MAX} characters.
 */
final class Details {
    static final int MAX = 300;
    private static final String MASK = "***";
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\\r\\n\\t]]");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private Details() {}

    static String clean(String text, String username, String password) {
        if (text == null) {
            return "";
        }
        var s = text;
        for (var secret : forms(username, password)) {
            s = s.replace(secret, MASK);
        }
        s = SPACES.matcher(CONTROL.matcher(s).replaceAll("")).replaceAll(" ").trim();
        if (s.length() > MAX) {
            s = s.substring(0, MAX - 1) + "…";
        }
        return s;
    }

    /** Describes an error that carries no server reply: the most specific message in the chain. */
    static String describe(Throwable error) {
        if (error == null) {
            return "";
        }
        var parts = new ArrayList<String>();
        int depth = 0;
        for (var t = error; t != null && depth++ < 10; t = t.getCause()) {
            var message = t.getMessage() == null ? "" : t.getMessage();
            var part = t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
            if (parts.stream().noneMatch(p -> p.contains(message) && !message.isEmpty())) {
                parts.add(part);
            }
        }
        return String.join(" <- ", parts);
    }

    private static List<String> forms(String username, String password) {
        var forms = new ArrayList<String>();
        forms.add(password);
        // IMAP LOGIN sends a password with quotes or backslashes as a quoted string (\" and \\); a server that
        // echoes the command in a BAD reply echoes that form
        forms.add(password.replace("\\", "\\\\").replace("\"", "\\\""));
        var user = username == null ? "" : username;
        for (var plain : List.of(password, "\0" + user + "\0" + password, user + "\0" + user + "\0" + password)) {
            var b64 = Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
            forms.add(b64);
            forms.add(b64.replace("=", ""));
        }
        // longest first, so a base64 form is masked whole before a shorter form could split it
        forms.sort(Comparator.comparingInt(String::length).reversed());
        return forms;
    }
}
