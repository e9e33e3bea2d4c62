package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;
import org.eclipse.angus.mail.util.WriteTimeoutSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IMAP server that announces a literal of 2 GB ({@code {2000000000}} at a line end) over plain IMAP,
 * implicit TLS or STARTTLS: the check ends as PROTOCOL_ERROR naming the size, frees its worker, and the worker
 * never allocates the announced size (Angus Mail would, before reading a byte of it). Small literals still pass.
 */
class LiteralProbeIT {
    private static final String USER = "sales@dealer-l.test";
    private static final String PASSWORD = "literal-suite-app-password";
    private static final String HUGE = "2000000000";
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private static final Duration GENEROUS = Duration.ofSeconds(20);
    /** A login conversation allocates a few MB at most; Angus would allocate the 2 GB announced. */
    private static final long MAX_ALLOCATED = 256L * 1024 * 1024;

    @TempDir
    static Path dir;

    private static TestCerts certs;

    private Probes probes;
    private LogCapture logs;

    @BeforeAll
    static void certificates() {
        certs = TestCerts.generate(dir, "literal");
    }

    @BeforeEach
    void probes() {
        logs = new LogCapture();
        probes = Probes.create(certs.trustingChecks(DEADLINE));
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

    private ProbeResult imap(int port, Security security) {
        return probes.check(Targets.imap("custom", port, security, USER, PASSWORD));
    }

    @Test
    void hugeLiteralInAPlainGreetingIsProtocolErrorBeforeLogin() throws Exception {
        try (var server = new HostileServer(p -> {
            p.send("* OK [CAPABILITY IMAP4rev1] {" + HUGE + "}");
            p.readUntil("never");
        })) {
            var r = checkWatchingAllocation(() -> imap(server.port(), Security.PLAIN));
            assertRefused(r);
            assertThat(server.received())
                    .noneMatch(l -> l.toUpperCase(Locale.ROOT).contains("LOGIN"));
            assertThat(server.awaitClientGone(GENEROUS))
                    .as("connection closed by the probe")
                    .isTrue();
        }
    }

    @Test
    void hugeLiteralInAPlainLoginReplyIsProtocolError() throws Exception {
        try (var server = ScriptedMailServer.imap()
                .onLogin("{tag} NO [ALERT] {" + HUGE + "}")
                .start()) {
            assertRefused(checkWatchingAllocation(() -> imap(server.port(), Security.PLAIN)));
        }
    }

    @Test
    void hugeLiteralInALoginReplyOverImplicitTlsIsProtocolError() throws Exception {
        try (var server = ScriptedMailServer.imap()
                .implicitTls(certs.serverContext())
                .onLogin("* OK [ALERT] {" + HUGE + "}")
                .start()) {
            assertRefused(checkWatchingAllocation(() -> imap(server.port(), Security.SSL)));
        }
    }

    @Test
    void hugeLiteralInAListReplyOverImplicitTlsIsProtocolError() throws Exception {
        try (var server = ScriptedMailServer.imap()
                .implicitTls(certs.serverContext())
                .onList("* LIST () \"/\" {" + HUGE + "}")
                .start()) {
            assertRefused(checkWatchingAllocation(() -> imap(server.port(), Security.SSL)));
        }
    }

    @Test
    void hugeLiteralInALoginReplyAfterStartTlsIsProtocolError() throws Exception {
        try (var server = ScriptedMailServer.imap()
                .startTls(certs.serverContext())
                .onLogin("{tag} NO {" + HUGE + "}")
                .start()) {
            assertRefused(checkWatchingAllocation(() -> imap(server.port(), Security.STARTTLS)));
            assertThat(server.received())
                    .filteredOn(l -> l.text().toUpperCase(Locale.ROOT).contains("LOGIN"))
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.encrypted()).isTrue());
        }
    }

    @Test
    void smallLiteralInAListReplyIsOk() throws Exception {
        var list = new String[] {"* LIST (\\Noselect) \"/\" {5}", "INBOX", "{tag} OK LIST completed"};
        try (var plain = ScriptedMailServer.imap().onList(list).start();
                var tls = ScriptedMailServer.imap()
                        .implicitTls(certs.serverContext())
                        .onList(list)
                        .start();
                var startTls = ScriptedMailServer.imap()
                        .startTls(certs.serverContext())
                        .onList(list)
                        .start()) {
            for (var r : new ProbeResult[] {
                imap(plain.port(), Security.PLAIN),
                imap(tls.port(), Security.SSL),
                imap(startTls.port(), Security.STARTTLS)
            }) {
                assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            }
        }
    }

    @Test
    void literalContentThatLooksLikeAnAnnouncementIsNotOne() throws Exception {
        // 16 bytes of mailbox name: "x{2000000000}\r\ny"
        var list = new String[] {"* LIST () \"/\" {16}", "x{" + HUGE + "}", "y", "{tag} OK LIST completed"};
        try (var plain = ScriptedMailServer.imap().onList(list).start();
                var tls = ScriptedMailServer.imap()
                        .implicitTls(certs.serverContext())
                        .onList(list)
                        .start()) {
            assertThat(imap(plain.port(), Security.PLAIN).outcome()).isEqualTo(Outcome.OK);
            assertThat(imap(tls.port(), Security.SSL).outcome()).isEqualTo(Outcome.OK);
        }
    }

    @Test
    void smtpHasNoLiterals() throws Exception {
        try (var server = ScriptedMailServer.smtp()
                .onLogin("535 5.7.8 bad credentials {" + HUGE + "}")
                .start()) {
            var r = probes.check(Targets.smtp("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.AUTH_REJECTED);
            assertThat(r.detail()).contains("{" + HUGE + "}");
        }
    }

    @Test
    void guardMovesAboveTlsWhenTlsIsLayeredOnAPlainSocket() throws Exception {
        var connection = new Connection(Trust.from(certs.trustingChecks(DEADLINE)), Protocol.IMAP);
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var plain = connection.plainFactory().createSocket("127.0.0.1", listener.getLocalPort());
            // Angus wraps the socket it gets for its write timeout, and layers STARTTLS on the wrapper
            var wrapped = new WriteTimeoutSocket(plain, 1000);
            var plainGuard = (LiteralGuard) wrapped.getInputStream();
            assertThat(plainGuard.watching()).isTrue();
            var tls = connection.tlsFactory().createSocket(wrapped, "127.0.0.1", listener.getLocalPort(), true);
            assertThat(plainGuard.watching())
                    .as("the guard under TLS would read ciphertext")
                    .isFalse();
            assertThat(tls).isInstanceOf(SSLSocket.class);
            assertThat(tls.getInputStream()).isInstanceOf(LiteralGuard.class);
        } finally {
            connection.abort();
        }
    }

    @Test
    void smtpSocketsCarryNoGuard() throws Exception {
        var connection = new Connection(Trust.from(certs.trustingChecks(DEADLINE)), Protocol.SMTP);
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var plain = connection.plainFactory().createSocket("127.0.0.1", listener.getLocalPort());
            assertThat(plain.getInputStream()).isNotInstanceOf(LiteralGuard.class);
            var tls = connection.tlsFactory().createSocket(plain, "127.0.0.1", listener.getLocalPort(), true);
            assertThat(tls).isNotInstanceOf(GuardedSslSocket.class);
            assertThat(tls.getInputStream()).isNotInstanceOf(LiteralGuard.class);
        } finally {
            connection.abort();
        }
    }

    private void assertRefused(ProbeResult r) throws InterruptedException {
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.PROTOCOL_ERROR);
        assertThat(r.detail())
                .contains("literal of " + HUGE + " bytes")
                .doesNotContain(PASSWORD)
                .hasSizeLessThanOrEqualTo(Details.MAX)
                .doesNotContainPattern("[\\p{Cntrl}]");
        assertThat(r.duration()).isLessThan(GENEROUS);
        Await.until("no worker still talking to the server", GENEROUS, () -> probes.busyWorkers() == 0);
    }

    /**
     * Runs a check and asserts the probe's worker threads allocated far less than the literal announced (on a JVM
     * without per-thread allocation counters, only the outcome tells: a big heap waits for the literal until the
     * deadline, NETWORK_ERROR; a small one throws OutOfMemoryError).
     */
    private static ProbeResult checkWatchingAllocation(Supplier<ProbeResult> check) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()
                || !threads.isThreadAllocatedMemoryEnabled()) {
            return check.get();
        }
        var before = workerAllocations(threads);
        var result = check.get();
        long allocated = 0;
        for (var e : workerAllocations(threads).entrySet()) {
            allocated += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        assertThat(allocated).as("bytes allocated by the probe's workers").isLessThan(MAX_ALLOCATED);
        return result;
    }

    /** Bytes allocated so far by each live probe worker (they live on in the pool until the probes close). */
    private static Map<Long, Long> workerAllocations(com.sun.management.ThreadMXBean threads) {
        var bytes = new HashMap<Long, Long>();
        for (var t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("apm-probe-") && !t.getName().startsWith("apm-probe-write-timeout-")) {
                var n = threads.getThreadAllocatedBytes(t.getId());
                if (n >= 0) {
                    bytes.put(t.getId(), n);
                }
            }
        }
        return bytes;
    }
}
