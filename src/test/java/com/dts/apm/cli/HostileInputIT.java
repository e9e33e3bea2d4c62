package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input through every door the operator has (config file, CSV import, arguments, password sources):
 * huge values, invalid UTF-8, NUL bytes, endless streams. Each ends in a clear one-line error and exit 2,
 * never a hang, an out-of-memory or a stack trace. (Hostile server replies are the probe suite's.)
 */
class HostileInputIT {
    private static final int MB = 1024 * 1024;

    @TempDir
    Path dir;

    private Path config;
    private Cli cli;

    @BeforeEach
    void setUp() throws IOException {
        config = dir.resolve("apm.yml");
        TestConfig.in(dir).database(dir.resolve("apm.db")).writeTo(config);
        cli = new Cli(config);
    }

    /**
     * Exit 2, one short line that starts with "error:" (an import lists its bad rows before it), no stack trace,
     * and nothing echoed back in bulk.
     */
    private static void assertRefused(Cli.Result r) {
        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).count())
                .as(r.err())
                .isEqualTo(1);
        assertThat(r.err().lines())
                .as("every line stays short")
                .allSatisfy(l -> assertThat(l.length()).isLessThan(600));
        assertThat(r.err().length()).as("stderr stays small").isLessThan(4000);
        assertThat(r.all()).doesNotContain("\tat ").doesNotContain("Exception:");
    }

    private Cli.Result withConfig(byte[] content, String... args) throws IOException {
        var hostile = dir.resolve("hostile.yml");
        Files.write(hostile, content);
        return new Cli(hostile).run(args);
    }

    @Test
    void configWithInvalidUtf8IsRefused() throws IOException {
        var bytes = ("database: { path: " + dir.resolve("x.db") + " }\nalerts: { product-name: \"")
                .getBytes(StandardCharsets.UTF_8);
        var out = new java.io.ByteArrayOutputStream();
        out.write(bytes);
        out.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, '"', ' ', '}', '\n'});
        assertRefused(withConfig(out.toByteArray(), "status"));
    }

    @Test
    void configWithNulBytesIsRefused() throws IOException {
        assertRefused(withConfig(
                "schedule: { interval: \"1h\0\0\" }\nhttp:\0 { port: 0 }\n".getBytes(StandardCharsets.UTF_8),
                "status"));
    }

    @Test
    void configWithAHugeValueIsRefused() throws IOException {
        var huge = "alerts: { product-name: \"" + "A".repeat(20 * MB) + "\" }\n";
        assertRefused(withConfig(huge.getBytes(StandardCharsets.US_ASCII), "status"));
    }

    @Test
    void configWithHugeNumbersIsRefused() throws IOException {
        assertRefused(withConfig(
                "schedule: { max-concurrent-checks: 99999999999999999999999999 }\n".getBytes(StandardCharsets.US_ASCII),
                "status"));
        assertRefused(withConfig(
                "schedule: { interval: 9999999999999999999999d }\n".getBytes(StandardCharsets.US_ASCII), "status"));
        assertRefused(withConfig("http: { port: 70000 }\n".getBytes(StandardCharsets.US_ASCII), "status"));
    }

    @Test
    void configWithDeepNestingOrAliasBombIsRefused() throws IOException {
        assertRefused(withConfig(("alerts: " + "[".repeat(100_000)).getBytes(StandardCharsets.US_ASCII), "status"));
        var bomb = new StringBuilder("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            var prev = (char) (c - 1);
            bomb.append(c)
                    .append(": &")
                    .append(c)
                    .append(" [*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append(",*")
                    .append(prev)
                    .append("]\n");
        }
        assertRefused(withConfig(bomb.toString().getBytes(StandardCharsets.US_ASCII), "status"));
    }

    @Test
    void configThatIsADeviceIsRefused() {
        assertRefused(new Cli(Path.of("/dev/zero")).run("status"));
    }

    private Path csv(byte[] content) throws IOException {
        var f = dir.resolve("import.csv");
        Files.write(f, content);
        return f;
    }

    @Test
    void csvWithInvalidUtf8IsRefused() throws IOException {
        var head = "dealer_id,email,password\nD1,a@dealer.test,".getBytes(StandardCharsets.US_ASCII);
        var bytes = new byte[head.length + 3];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xC0;
        bytes[head.length + 1] = (byte) 0xAF;
        bytes[head.length + 2] = '\n';
        assertRefused(cli.run("integrations", "import", csv(bytes).toString()));
    }

    @Test
    void csvWithNulBytesIsRefusedAndImportsNothing() throws IOException {
        var f = csv("dealer_id,email,password\nD1,a\0b@dealer.test,pw\0pw\nD\0,c@dealer.test,pw\n"
                .getBytes(StandardCharsets.UTF_8));
        assertRefused(cli.run("integrations", "import", f.toString()));
        assertThat(cli.run("integrations", "list", "--json").out().strip()).isEqualTo("[]");
    }

    @Test
    void csvWithAHugeFieldOrLineIsRefused() throws IOException {
        var huge = "dealer_id,email,password\nD1," + "a".repeat(8 * MB) + "@dealer.test,pw\n";
        assertRefused(cli.run(
                "integrations",
                "import",
                csv(huge.getBytes(StandardCharsets.US_ASCII)).toString()));
        var wide = "dealer_id,email,password," + "x,".repeat(200_000) + "y\n";
        assertRefused(cli.run(
                "integrations",
                "import",
                csv(wide.getBytes(StandardCharsets.US_ASCII)).toString()));
        var ports =
                "dealer_id,email,password,imap_host,imap_port\nD1,a@dealer.test,pw,127.0.0.1,99999999999999999999999\n";
        assertRefused(cli.run(
                "integrations",
                "import",
                csv(ports.getBytes(StandardCharsets.US_ASCII)).toString()));
    }

    @Test
    void csvThatNeverEndsIsRefused() {
        assertRefused(cli.run("integrations", "import", "/dev/zero"));
        assertRefused(cli.run("integrations", "import", "/dev/urandom"));
    }

    @Test
    void csvBiggerThanTheLimitIsRefusedWithoutReadingItAll() throws IOException {
        var f = dir.resolve("big.csv");
        try (OutputStream out = Files.newOutputStream(f)) {
            out.write("dealer_id,email,password\n".getBytes(StandardCharsets.US_ASCII));
            var row = "D1,someone@dealer.test,pw\n".getBytes(StandardCharsets.US_ASCII);
            var block = new byte[MB];
            for (int i = 0; i + row.length <= block.length; i += row.length) {
                System.arraycopy(row, 0, block, i, row.length);
            }
            for (int i = 0; i < 300; i++) {
                out.write(block);
            }
        }
        assertRefused(cli.run("integrations", "import", f.toString()));
    }

    private List<String> addArgs(String email, String... more) {
        var args = new ArrayList<>(List.of(
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--email",
                email,
                "--provider",
                "custom",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                "993",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                "465"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void hostileArgumentsAreRefused() {
        for (var args : List.of(
                addArgs("a@dealer.test", "--password-stdin", "--imap-port", "99999999999999999999999"),
                addArgs("a@dealer.test", "--password-stdin", "--imap-port", "-1"),
                addArgs("a\0b@dealer.test", "--password-stdin"),
                addArgs("a\uD800@dealer.test", "--password-stdin"),
                addArgs("a".repeat(4 * MB) + "@dealer.test", "--password-stdin"),
                addArgs("a@dealer.test", "--password-stdin", "--dealer-id", "D\0".repeat(1000)),
                List.of("history", "99999999999999999999999999"),
                List.of("history", "\0"),
                List.of("check", "-5"),
                List.of("integrations", "show", "1".repeat(100_000)))) {
            assertRefused(cli.runWithInput("app-password\n", args.toArray(String[]::new)));
        }
        assertThat(cli.run("integrations", "list", "--json").out().strip()).isEqualTo("[]");
    }

    @Test
    void passwordFromAnEndlessSourceIsRefused() {
        assertRefused(
                cli.run(addArgs("a@dealer.test", "--password-file", "/dev/zero").toArray(String[]::new)));
        var endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        var r = cli.runWithStream(
                endless, addArgs("b@dealer.test", "--password-stdin").toArray(String[]::new));
        assertRefused(r);
        assertThat(cli.run("integrations", "list", "--json").out().strip()).isEqualTo("[]");
    }

    @Test
    void passwordWithNulOrInvalidUtf8IsRefused() throws IOException {
        var nul = dir.resolve("pw-nul");
        Files.write(nul, "app\0password\n".getBytes(StandardCharsets.UTF_8));
        assertRefused(cli.run(
                addArgs("a@dealer.test", "--password-file", nul.toString()).toArray(String[]::new)));
        var bad = dir.resolve("pw-bad");
        Files.write(bad, new byte[] {'p', (byte) 0xFF, 'w', '\n'});
        assertRefused(cli.run(
                addArgs("a@dealer.test", "--password-file", bad.toString()).toArray(String[]::new)));
    }
}
