package com.dts.apm.testing;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/** Object mothers and file checks shared by tests. */
public final class Fixtures {
    private Fixtures() {}

    /** An integration builder with sensible defaults: {@code anIntegration().withEmail(...).build()}. */
    public static Builder anIntegration() {
        return new Builder();
    }

    public static final class Builder {
        private String dealerId = "dealer-1";
        private String dealerName = "Acme Motors";
        private String email = "sales@acme-motors.test";
        private String provider = "custom";
        private Endpoint imap = new Endpoint("127.0.0.1", 3993, Security.SSL);
        private Endpoint smtp = new Endpoint("127.0.0.1", 3465, Security.SSL);
        private Set<Protocol> protocols = EnumSet.allOf(Protocol.class);
        private String username;
        private boolean canary;
        private String adminEmail;

        public Builder asCanary() {
            this.canary = true;
            return this;
        }

        public Builder withAdminEmail(String adminEmail) {
            this.adminEmail = adminEmail;
            return this;
        }

        public Builder withEmail(String email) {
            this.email = email;
            return this;
        }

        public Builder withDealer(String id, String name) {
            this.dealerId = id;
            this.dealerName = name;
            return this;
        }

        public Builder withProvider(String provider) {
            this.provider = provider;
            return this;
        }

        public Builder withImap(Endpoint imap) {
            this.imap = imap;
            return this;
        }

        public Builder withSmtp(Endpoint smtp) {
            this.smtp = smtp;
            return this;
        }

        public Builder withUsername(String username) {
            this.username = username;
            return this;
        }

        public Builder only(Protocol protocol) {
            this.protocols = EnumSet.of(protocol);
            return this;
        }

        public NewIntegration build() {
            return new NewIntegration(dealerId, dealerName, null, email, provider, username == null ? email : username,
                    imap, smtp, protocols, true, canary, adminEmail);
        }
    }

    /** True when {@code needle} occurs in any file under {@code dir} (raw bytes, also hex/base64 forms checked by callers). */
    public static boolean anyFileContains(Path dir, byte[] needle) {
        if (!Files.exists(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).anyMatch(f -> contains(read(f), needle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean anyFileContains(Path dir, String needle) {
        return anyFileContains(dir, needle.getBytes(StandardCharsets.UTF_8))
                || anyFileContains(dir, needle.getBytes(StandardCharsets.UTF_16LE))
                || anyFileContains(dir, HexFormat.of().formatHex(needle.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
