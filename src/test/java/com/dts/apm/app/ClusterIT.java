package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Await;
import com.dts.apm.testing.ChildJvm;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import com.dts.apm.testing.TestConfig;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several real daemons (child JVMs) on one PostgreSQL database and one GreenMail: a round is shared, no mailbox is
 * checked twice, every node checks some, each revoked mailbox gets exactly one failure email; after a {@code kill -9}
 * of one of two nodes in the middle of a round the other finishes its work once its leases run out.
 */
class ClusterIT {
    private static final int GOOD = 18;
    private static final int BAD = 3;
    private static final Pattern FIRST_CHECK =
            Pattern.compile("integration (\\d+) \\([^)]*\\) UNKNOWN -> (HEALTHY|SUSPECT)");
    private static final Pattern METRICS_PORT =
            Pattern.compile("metrics endpoint listening on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    @TempDir
    Path dir;

    private GreenMail mail;
    private PostgresDatabases databases;
    private Path config;
    private final List<Process> nodes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        databases = new PostgresDatabases(pg, dir);
        config = dir.resolve("apm.yml");
        // 2 checks at once and 3 logins a second per node: a round of 21 mailboxes takes seconds, long enough to share
        TestConfig.in(dir)
                .postgres(databases)
                .schedule(s -> s.quick()
                        .interval("1h")
                        .failingRecheckInterval("1h")
                        .confirmAfter("2s")
                        .maxConcurrentChecks(2)
                        .maxConcurrentPerProvider(2)
                        .loginsPerSecondPerProvider(3)
                        .shutdownGrace("5s"))
                .deadline(Duration.ofSeconds(5)) // a lease is 2 x deadline + 10 s = 20 s
                .relay("127.0.0.1", mail.getSmtp().getPort())
                .alerts("send-interval", "1s")
                .writeTo(config);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (var n : nodes) {
            if (n.isAlive()) {
                n.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        mail.stop();
        databases.close();
    }

    private Path log(int node) {
        return dir.resolve("node-" + node + ".log");
    }

    private String logOf(int node) {
        try {
            return Files.exists(log(node)) ? Files.readString(log(node)) : "";
        } catch (Exception e) {
            return e.toString();
        }
    }

    private void startNodes(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            nodes.add(ChildJvm.main(dir, log(i), "--config", config.toString(), "run")
                    .start());
        }
        for (int i = 0; i < n; i++) {
            int node = i;
            Await.until(
                    "node " + i + " running",
                    Duration.ofSeconds(60),
                    () -> logOf(node).contains("app-password-monitor running"));
        }
    }

    /** All mailboxes in one CSV import (one transaction): due at once, while every node is claiming. */
    private void importMailboxes() throws Exception {
        var csv = new StringBuilder("dealer_id,email,password,provider,imap_host,imap_port,imap_security,protocols\n");
        for (int i = 0; i < BAD + GOOD; i++) {
            var email = (i < BAD ? "bad" : "good") + i + "@dealer-c.test";
            mail.setUser(email, email, "right-app-password-" + i);
            var stored = i < BAD ? "revoked-app-password-" + i : "right-app-password-" + i;
            csv.append("D-C")
                    .append(i % 5)
                    .append(',')
                    .append(email)
                    .append(',')
                    .append(stored)
                    .append(",custom,127.0.0.1,")
                    .append(mail.getImap().getPort())
                    .append(",plain,imap\n");
        }
        var file = dir.resolve("mailboxes.csv");
        Files.writeString(file, csv);
        var r = new Cli(config).run("integrations", "import", file.toString());
        assertThat(r.exit()).as(r.all()).isZero();
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(databases.config().url(), pg.username(), pg.password());
    }

    private long count(String sql) {
        try (var c = connect();
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    private Map<Long, Long> checksPerIntegration() throws Exception {
        var out = new HashMap<Long, Long>();
        try (var c = connect();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT i.id, count(r.id) FROM integration i LEFT JOIN check_result r"
                        + " ON r.integration_id = i.id GROUP BY i.id")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    private Set<Long> ids(String where) throws Exception {
        var out = new HashSet<Long>();
        try (var c = connect();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT id FROM integration WHERE " + where)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** The integrations whose first check node {@code i} recorded (its INFO line of the first state change). */
    private Set<Long> firstChecksBy(int node) {
        var out = new HashSet<Long>();
        var m = FIRST_CHECK.matcher(logOf(node));
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    private void awaitRoundDone(Duration limit) throws Exception {
        Await.until("every mailbox checked, the revoked ones failing and mailed", limit, () -> {
            try {
                return ids("last_checked_at IS NULL").isEmpty()
                        && ids("state = 'FAILING'").size() == BAD
                        && count("SELECT count(*) FROM alert_outbox WHERE kind = 'failure' AND status = 'SENT'") == BAD;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private void assertEachCheckedOnceAndMailedOnce(Set<Long> bad) throws Exception {
        var checks = checksPerIntegration();
        assertThat(checks).hasSize(BAD + GOOD);
        checks.forEach((id, n) ->
                assertThat(n).as("checks recorded for integration %d", id).isEqualTo(bad.contains(id) ? 2 : 1));
        // exactly one failure email per revoked mailbox, nobody else mailed
        var received = new HashMap<String, Integer>();
        for (var m : mail.getReceivedMessages()) {
            for (var to : m.getAllRecipients()) {
                received.merge(to.toString(), 1, Integer::sum);
            }
        }
        var expected = new HashMap<String, Integer>();
        for (int i = 0; i < BAD; i++) {
            expected.put("bad" + i + "@dealer-c.test", 1);
        }
        assertThat(received).isEqualTo(expected);
    }

    private static String metrics(String nodeLog) throws Exception {
        var m = METRICS_PORT.matcher(nodeLog);
        assertThat(m.find()).as("metrics port in the node's log").isTrue();
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void threeNodesShareARoundAndNoMailboxIsCheckedTwice() throws Exception {
        startNodes(3);
        Await.until("three nodes in the cluster", Duration.ofSeconds(30), () -> {
            try {
                return metrics(logOf(0)).contains("apm_cluster_nodes 3.0");
            } catch (Exception e) {
                return false;
            }
        });
        importMailboxes();
        awaitRoundDone(Duration.ofSeconds(90));
        var bad = ids("email COLLATE \"C\" LIKE 'bad%'");
        assertEachCheckedOnceAndMailedOnce(bad);

        var byNode = List.of(firstChecksBy(0), firstChecksBy(1), firstChecksBy(2));
        var all = new HashSet<Long>();
        for (int i = 0; i < byNode.size(); i++) {
            assertThat(byNode.get(i)).as("node %d checked some", i).isNotEmpty();
            for (var id : byNode.get(i)) {
                assertThat(all.add(id))
                        .as("integration %d first checked by one node only", id)
                        .isTrue();
            }
        }
        assertThat(all).hasSize(BAD + GOOD);
        System.out.println("ClusterIT: first checks per node "
                + byNode.stream().map(Set::size).toList());
        for (int i = 0; i < 3; i++) {
            assertThat(logOf(i))
                    .doesNotContain("right-app-password")
                    .doesNotContain("revoked-app-password")
                    .doesNotContain(pg.password());
        }
    }

    @Test
    void aNodeKilledMidRoundHasItsWorkFinishedByTheOther() throws Exception {
        startNodes(2);
        importMailboxes();
        Await.until(
                "node 0 in the middle of its share",
                Duration.ofSeconds(60),
                () -> firstChecksBy(0).size() >= 2);
        nodes.get(0).destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop, its leases stay
        assertThat(nodes.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
        long leftAtKill = count("SELECT count(*) FROM integration WHERE last_checked_at IS NULL");
        long leasedByDead =
                count("SELECT count(*) FROM integration WHERE lease_node IS NOT NULL AND last_checked_at IS NULL");
        System.out.println(
                "ClusterIT: at the kill " + leftAtKill + " unchecked, " + leasedByDead + " leased and unchecked");
        assertThat(leftAtKill).as("killed in the middle of the round").isPositive();

        // lease 20 s, Quartz's fail-over after two missed check-ins of 5 s: well within a minute
        var killedAt = System.nanoTime();
        awaitRoundDone(Duration.ofSeconds(90));
        System.out.println("ClusterIT: the round finished "
                + Duration.ofNanos(System.nanoTime() - killedAt).toMillis() + " ms after the kill; node 1 checked "
                + firstChecksBy(1).size() + ", node 0 " + firstChecksBy(0).size());
        assertEachCheckedOnceAndMailedOnce(ids("email COLLATE \"C\" LIKE 'bad%'"));
        assertThat(firstChecksBy(1)).isNotEmpty();
        Await.until("one node left in the cluster", Duration.ofSeconds(30), () -> {
            try {
                return metrics(logOf(1)).contains("apm_cluster_nodes 1.0");
            } catch (Exception e) {
                return false;
            }
        });
    }
}
