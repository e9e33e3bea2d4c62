package com.dts.apm.probe;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The reason a server gives for refusing an XOAUTH2 access token: Gmail (and Outlook) answer the initial response
 * with a challenge, base64 of a JSON body such as {@code {"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}}
 * (IMAP {@code + ...}, SMTP {@code 334 ...}), and only then the refusal (developers.google.com/gmail/imap/xoauth2-protocol).
 */
final class XoauthChallenge {
    private XoauthChallenge() {}

    /** The decoded JSON of a challenge line ({@code + b64} or {@code 334 b64}), or null when it holds none. */
    static String decode(String line) {
        if (line == null) {
            return null;
        }
        var t = line.strip();
        if (t.startsWith("+")) {
            t = t.substring(1).strip();
        } else if (t.startsWith("334")) {
            t = t.substring(3).strip();
        } else {
            return null;
        }
        if (t.isEmpty()) {
            return null;
        }
        try {
            var json = new String(Base64.getMimeDecoder().decode(t), StandardCharsets.UTF_8).strip();
            return json.startsWith("{") ? json.replaceAll("\\s+", " ") : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
