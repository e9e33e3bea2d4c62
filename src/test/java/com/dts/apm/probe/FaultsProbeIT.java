package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Servers that stall, hang up, reset or misbehave (issue 8's fault suite, the probe part): every check
 * ends with a clear outcome within its deadline, frees its worker, and keeps a short, clean detail.
 * Time limits are generous: they tell "ended at the deadline" from "hung", nothing finer.
 */
class FaultsProbeIT {
    private static final String USER = "sales@dealer-f.test";
    private static final String PASSWORD = "fault-suite-app-password";
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    private static final Duration GENEROUS = Duration.ofSeconds(20);

    private Probes probes;
    private LogCapture logs;

    @BeforeEach
    void probes() {
        logs = new LogCapture();
        probes = Probes.create(TestCerts.defaultChecks(DEADLINE));
    }

    @AfterEach
    void close() {
        probes.close();
        try {
            for (var secret : GreenMailProbeIT.secretForms(USER, PASSWORD)) {
                assertThat(logs.text()).doesNotContain(secret);
            }
        } finally {
            logs.close();
        }
    }

    private ProbeResult imap(int port) {
        return probes.check(Targets.imap("custom", port, Security.PLAIN, USER, PASSWORD));
    }

    private ProbeResult smtp(int port) {
        return probes.check(Targets.smtp("custom", port, Security.PLAIN, USER, PASSWORD));
    }

    private void assertWorkerFreed() throws InterruptedException {
        Await.until("no worker still talking to the server", GENEROUS, () -> probes.busyWorkers() == 0);
    }

    private static void assertClean(ProbeResult r) {
        assertThat(r.detail())
                .isNotBlank()
                .hasSizeLessThanOrEqualTo(Details.MAX)
                .doesNotContain(PASSWORD)
                .doesNotContainPattern("[\\p{Cntrl}]");
        assertThat(r.duration()).isLessThan(GENEROUS);
    }

    /** Greets with capabilities (no CAPABILITY round trip needed) and waits for LOGIN; returns its tag. */
    private static String untilImapLogin(HostileServer.Peer p) throws IOException {
        p.send("* OK [CAPABILITY IMAP4rev1] hostile IMAP ready");
        String line;
        while ((line = p.read()) != null) {
            var parts = line.split(" ");
            if (parts.length > 1 && parts[1].equalsIgnoreCase("CAPABILITY")) {
                p.send("* CAPABILITY IMAP4rev1");
                p.send(parts[0] + " OK done");
            } else if (parts.length > 1 && parts[1].equalsIgnoreCase("LOGIN")) {
                return parts[0];
            } else if (parts.length > 1) {
                p.send(parts[0] + " BAD no");
            }
        }
        throw new IOException("client left before LOGIN");
    }

    @Test
    void serverThatNeverAnswersEndsAtTheDeadlineAndFreesTheWorker() throws Exception {
        try (var server = ScriptedMailServer.imap().silent().start()) {
            var r = imap(server.port());
            assertThat(r.outcome()).isEqualTo(Outcome.NETWORK_ERROR);
            assertThat(r.detail()).contains("deadline");
            assertThat(r.duration()).isGreaterThanOrEqualTo(DEADLINE);
            assertClean(r);
            assertWorkerFreed();
            assertThat(server.awaitClientGone(GENEROUS))
                    .as("connection closed by the probe")
                    .isTrue();
        }
    }

    @Test
    void checksSharingASessionKeepTheirOwnSocketsWhileOneHangsUntilItsDeadline() throws Exception {
        // one Session serves every check; each check's sockets are its own, so aborting the hanging one at its
        // deadline cannot touch the others running at the same time
        var pool = java.util.concurrent.Executors.newFixedThreadPool(5);
        try (var hanging = ScriptedMailServer.imap().hangOnLogin().start();
                var healthy = ScriptedMailServer.imap().start()) {
            var stuck = pool.submit(() -> imap(hanging.port()));
            var fine = new java.util.ArrayList<java.util.concurrent.Future<ProbeResult>>();
            for (int i = 0; i < 4; i++) {
                fine.add(pool.submit(() -> imap(healthy.port())));
            }
            for (var f : fine) {
                assertThat(f.get().outcome()).isEqualTo(Outcome.OK);
            }
            var r = stuck.get();
            assertThat(r.outcome()).isEqualTo(Outcome.NETWORK_ERROR);
            assertThat(r.detail()).contains("deadline");
            assertThat(healthy.connections()).isEqualTo(4);
            assertWorkerFreed();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSocketAskedForOutsideACheckIsRefused() {
        assertThatThrownBy(() -> BoundFactories.PLAIN.createSocket("127.0.0.1", 9))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no check is running");
        assertThatThrownBy(() -> BoundFactories.TLS.createSocket())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no check is running");
    }

    @Test
    void smtpServerThatStopsAtAuthEndsAtTheDeadline() throws Exception {
        try (var server = ScriptedMailServer.smtp().hangOnLogin().start()) {
            var r = smtp(server.port());
            assertThat(r.outcome()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
            assertWorkerFreed();
            assertThat(server.awaitClientGone(GENEROUS)).isTrue();
        }
    }

    @Test
    void imapServerThatStopsAtLoginEndsAtTheDeadline() throws Exception {
        try (var server = ScriptedMailServer.imap().hangOnLogin().start()) {
            var r = imap(server.port());
            assertThat(r.outcome()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void refusedConnectionIsNetworkError() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var r = imap(port);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
        assertThat(r.detail()).containsIgnoringCase("refused");
        assertClean(r);
        assertThat(smtp(port).outcome()).isEqualTo(Outcome.NETWORK_ERROR);
    }

    @Test
    void unknownHostIsNetworkError() {
        for (var protocol : Protocol.values()) {
            var r = probes.check(
                    Targets.target("custom", protocol, "no-such-mail-host.invalid", 993, Security.SSL, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
        }
    }

    @Test
    void connectionResetDuringImapLoginIsNetworkError() throws Exception {
        try (var server = new HostileServer(p -> {
            untilImapLogin(p);
            p.reset();
        })) {
            var r = imap(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void connectionResetDuringSmtpAuthIsNetworkError() throws Exception {
        try (var server = new HostileServer(p -> {
            p.send("220 hostile ESMTP");
            p.readUntil("EHLO");
            p.send("250-hostile");
            p.send("250 AUTH PLAIN LOGIN");
            p.readUntil("AUTH");
            p.reset();
        })) {
            var r = smtp(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
        }
    }

    @Test
    void hangUpAfterLoginWithoutAnswerIsNetworkError() throws Exception {
        try (var server = new HostileServer(p -> {
            untilImapLogin(p);
            p.socket.close();
        })) {
            var r = imap(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
        }
    }

    @Test
    void smtpGreetingTooManyConnectionsIsRateLimitedWithoutAuth() throws Exception {
        try (var server = new HostileServer(p -> {
            p.send("421 4.7.0 mx.example.test Too many concurrent SMTP connections; please try again later");
            p.readUntil("never");
        })) {
            var r = smtp(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.RATE_LIMITED);
            assertThat(r.detail()).startsWith("421");
            assertClean(r);
            assertThat(server.received())
                    .noneMatch(l -> l.toUpperCase(java.util.Locale.ROOT).startsWith("AUTH"));
        }
    }

    @Test
    void imapGreetingByeIsNetworkError() throws Exception {
        try (var server = new HostileServer(p -> p.send("* BYE Too many connections, try again later"))) {
            var r = imap(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.NETWORK_ERROR);
            assertClean(r);
        }
    }

    @Test
    void hugeImapReplyLineEndsCleanly() throws Exception {
        var huge = new byte[8 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        try (var server = new HostileServer(p -> {
            var tag = untilImapLogin(p);
            p.write((tag + " NO [AUTHENTICATIONFAILED] ").getBytes(StandardCharsets.US_ASCII));
            p.write(huge);
            p.send("");
            p.readUntil("never");
        })) {
            var r = imap(server.port());
            assertFlood(r);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void endlessImapLineWithoutNewlineEndsCleanly() throws Exception {
        try (var server = new HostileServer(p -> {
            var tag = untilImapLogin(p);
            p.write((tag + " NO ").getBytes(StandardCharsets.US_ASCII));
            flood(p, "y");
        })) {
            var r = imap(server.port());
            assertFlood(r);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void endlessUntaggedImapLinesEndCleanly() throws Exception {
        try (var server = new HostileServer(p -> {
            untilImapLogin(p);
            floodLines(p, "* OK still thinking about it");
        })) {
            var r = imap(server.port());
            assertFlood(r);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void endlessSmtpContinuationLinesEndCleanly() throws Exception {
        try (var server = new HostileServer(p -> {
            p.send("220 hostile ESMTP");
            p.readUntil("EHLO");
            floodLines(p, "250-hostile says more");
        })) {
            var r = smtp(server.port());
            assertFlood(r);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void hugeSmtpGreetingEndsCleanly() throws Exception {
        try (var server = new HostileServer(p -> {
            p.write("220 ".getBytes(StandardCharsets.US_ASCII));
            flood(p, "z");
        })) {
            var r = smtp(server.port());
            assertFlood(r);
            assertClean(r);
            assertWorkerFreed();
        }
    }

    @Test
    void invalidUtf8InRepliesIsKeptReadable() throws Exception {
        byte[] junk = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0x28, (byte) 0xe2, (byte) 0x82, 0x07, 0x1b};
        try (var server = new HostileServer(p -> {
                    var tag = untilImapLogin(p);
                    p.write((tag + " NO [AUTHENTICATIONFAILED] bad ").getBytes(StandardCharsets.US_ASCII));
                    p.write(junk);
                    p.send(" bytes");
                    p.readUntil("never");
                });
                var smtpServer = new HostileServer(p -> {
                    p.send("220 hostile ESMTP");
                    p.readUntil("EHLO");
                    p.send("250-hostile");
                    p.send("250 AUTH PLAIN LOGIN");
                    p.readUntil("AUTH");
                    p.write("535 5.7.8 bad ".getBytes(StandardCharsets.US_ASCII));
                    p.write(junk);
                    p.send(" bytes");
                    p.readUntil("never");
                })) {
            var r = imap(server.port());
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.AUTH_REJECTED);
            assertClean(r);
            assertThat(r.detail()).startsWith("[AUTHENTICATIONFAILED] bad").endsWith("bytes");
            var s = smtp(smtpServer.port());
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.AUTH_REJECTED);
            assertClean(s);
        }
    }

    /** A flood stops at the read cap: a clear PROTOCOL_ERROR before the deadline, not a full heap. */
    private static void assertFlood(ProbeResult r) {
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.PROTOCOL_ERROR);
        assertThat(r.detail()).contains("sent more than");
        assertThat(r.duration()).isLessThan(DEADLINE);
    }

    /** Writes {@code unit} forever (until the client hangs up), without a line end. */
    private static void flood(HostileServer.Peer p, String unit) throws IOException {
        var chunk = unit.repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        while (true) {
            p.write(chunk);
        }
    }

    private static void floodLines(HostileServer.Peer p, String line) throws IOException {
        var chunk = (line + "\r\n").repeat(2048).getBytes(StandardCharsets.US_ASCII);
        while (true) {
            p.write(chunk);
        }
    }
}
