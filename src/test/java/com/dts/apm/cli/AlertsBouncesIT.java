package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.store.Database;
import com.dts.apm.store.Outbox;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alerts bounces} and {@code alerts unbounce} against a real database in a temp folder. */
class AlertsBouncesIT {
    private static final String REFUSED = "550 5.1.1 <sales@dealer-b.test>: Recipient address rejected: User unknown";

    @TempDir
    Path dir;

    private Path db;
    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("data/apm.db");
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir).database(db).noHttpPort().writeTo(config);
        cli = new Cli(config);
    }

    private void add(String email, String contact) {
        var args = new java.util.ArrayList<>(java.util.List.of(
                "integrations",
                "add",
                "--dealer-id",
                "D-B",
                "--email",
                email,
                "--provider",
                "custom",
                "--imap-host",
                "imap.dealer-b.test",
                "--protocols",
                "imap",
                "--password-stdin"));
        if (contact != null) {
            args.addAll(java.util.List.of("--contact-email", contact));
        }
        var r = cli.runWithInput("app-password-b\n", args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /** What the sender does when the relay refuses an address for good. */
    private void bounces(String address, Instant since, String detail) {
        new Outbox(Database.open(db)).recordBouncing(address, since, detail);
    }

    @Test
    void listsEachBouncingAddressWithWhenWhyAndHowManyMailboxesUseIt() throws Exception {
        add("sales@dealer-b.test", null);
        add("service@dealer-b.test", "sales@dealer-b.test");
        add("parts@dealer-b.test", null);
        bounces("SALES@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);
        bounces("boss@dealer-b.test", Instant.parse("2026-11-21T09:00:00Z"), "550 5.7.1 mailbox disabled");

        var table = cli.run("alerts", "bounces");
        assertThat(table.exit()).as(table.err()).isZero();
        var lines = table.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("ADDRESS", "SINCE", "INTEGRATIONS", "RELAY SAID");
        assertThat(lines.get(1)).contains("SALES@dealer-b.test", "2026-11-20 08:30Z", " 2 ", REFUSED);
        assertThat(lines.get(2)).contains("boss@dealer-b.test", "2026-11-21 09:00Z", " 0 ", "mailbox disabled");

        var json = cli.run("alerts", "bounces", "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        var array = new ObjectMapper().readTree(json.out());
        assertThat(array).hasSize(2);
        var first = array.get(0);
        assertThat(first.get("address").asText()).isEqualTo("SALES@dealer-b.test");
        assertThat(first.get("since").asText()).isEqualTo("2026-11-20T08:30:00Z");
        assertThat(first.get("detail").asText()).isEqualTo(REFUSED);
        assertThat(first.get("integrations").asInt()).isEqualTo(2);
        assertThat(array.get(1).get("integrations").asInt()).isZero();
    }

    @Test
    void withNoBouncesItSaysSo() {
        var r = cli.run("alerts", "bounces");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("no address bounces\n");
        assertThat(cli.run("alerts", "bounces", "--json").out().strip()).isEqualTo("[]");
    }

    @Test
    void unbounceForgetsTheAddressWrittenInAnyCase() {
        add("sales@dealer-b.test", null);
        bounces("sales@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);

        var r = cli.run("alerts", "unbounce", "Sales@Dealer-B.test");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Sales@Dealer-B.test", "the next alert goes to it again");
        assertThat(new Outbox(Database.open(db)).isBouncing("sales@dealer-b.test"))
                .isFalse();
        assertThat(cli.run("alerts", "bounces").out()).isEqualTo("no address bounces\n");
    }

    @Test
    void unbounceOfAnAddressThatDoesNotBounceIsBadInputNamingIt() {
        bounces("sales@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);

        var r = cli.run("alerts", "unbounce", "nobody@dealer-b.test");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines())
                .hasSize(1)
                .first()
                .asString()
                .isEqualTo("error: address 'nobody@dealer-b.test' is not marked as bouncing (see: alerts bounces)");
        assertThat(r.out()).isEmpty();
        assertThat(new Outbox(Database.open(db)).isBouncing("sales@dealer-b.test"))
                .isTrue();
    }

    @Test
    void unbounceWaitsForAWriterInAnotherProcessInsteadOfFailing() throws Exception {
        bounces("sales@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);
        // the daemon in the middle of a write transaction, as another connection holds SQLite's one write lock
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.executeUpdate("UPDATE dealer SET name = name");
            var command = new AtomicReference<Thread>();
            var unbounce = CompletableFuture.supplyAsync(() -> {
                command.set(Thread.currentThread());
                return cli.run("alerts", "unbounce", "sales@dealer-b.test");
            });
            // the writer commits only once the command is seen waiting on the lock in SQLite (the same native
            // call twice in a row, 100 ms apart): a command that failed at once or never met the lock cannot pass
            var seen = new AtomicReference<String>();
            Await.until("the command waits for the write lock", Duration.ofSeconds(20), () -> {
                var t = command.get();
                var at = t == null || unbounce.isDone() ? null : nativeSqliteCall(t);
                return at != null && at.equals(seen.getAndSet(at));
            });
            assertThat(unbounce.isDone()).isFalse();
            st.execute("COMMIT");
            var r = unbounce.get(30, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.err()).isZero();
        }
        assertThat(new Outbox(Database.open(db)).isBouncing("sales@dealer-b.test"))
                .isFalse();
    }

    /** The sqlite-jdbc native call {@code t} is in, with the Java frames that led to it; null when it is in none. */
    private static String nativeSqliteCall(Thread t) {
        var stack = t.getStackTrace();
        for (int i = 0; i < stack.length; i++) {
            if (stack[i].getClassName().startsWith("org.sqlite.core.NativeDB") && stack[i].isNativeMethod()) {
                return java.util.Arrays.toString(stack);
            }
        }
        return null;
    }

    @Test
    void importingANewContactForgetsTheOldBounceUnlessAnotherMailboxStillUsesIt() throws Exception {
        add("sales@dealer-b.test", null);
        add("service@dealer-b.test", "shared@dealer-b.test");
        add("parts@dealer-b.test", "shared@dealer-b.test");
        bounces("sales@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);
        bounces("shared@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);
        var csv = dir.resolve("contacts.csv");
        Files.writeString(
                csv,
                String.join(
                        "\n",
                        "dealer_id,email,contact_email,provider,imap_host,protocols,password",
                        "D-B,sales@dealer-b.test,office@dealer-b.test,custom,imap.dealer-b.test,imap,app-password-b",
                        "D-B,service@dealer-b.test,office@dealer-b.test,custom,imap.dealer-b.test,imap,app-password-b",
                        ""),
                StandardCharsets.UTF_8);

        var r = cli.run("integrations", "import", csv.toString());
        assertThat(r.exit()).as(r.err()).isZero();

        var outbox = new Outbox(Database.open(db));
        assertThat(outbox.isBouncing("sales@dealer-b.test"))
                .as("no mailbox names it any more")
                .isFalse();
        assertThat(outbox.isBouncing("shared@dealer-b.test"))
                .as("parts@ still sends its alerts there")
                .isTrue();
    }

    @Test
    void importingTheSameContactKeepsTheBounce() throws Exception {
        add("sales@dealer-b.test", null);
        bounces("sales@dealer-b.test", Instant.parse("2026-11-20T08:30:00Z"), REFUSED);
        var csv = dir.resolve("same.csv");
        Files.writeString(
                csv,
                "dealer_id,email,contact_email,provider,imap_host,protocols,password\n"
                        + "D-B,sales@dealer-b.test,Sales@dealer-b.test,custom,imap.dealer-b.test,imap,app-password-b\n");

        assertThat(cli.run("integrations", "import", csv.toString()).exit()).isZero();
        assertThat(new Outbox(Database.open(db)).isBouncing("sales@dealer-b.test"))
                .isTrue();
    }
}
