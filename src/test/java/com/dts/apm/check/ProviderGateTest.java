package com.dts.apm.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-provider login rate and connection cap, timed on the real clock. */
class ProviderGateTest {
    private static ProviderGate gate(int perProvider, double perSecond) {
        var schedule = new Config.Schedule(null, null, null, null, null, null, perProvider, perSecond, null, null, null);
        return new ProviderGate(ProviderCatalog.builtIn(), schedule);
    }

    private static long millisFor(ProviderGate gate, String provider, int logins) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < logins; i++) {
            gate.enter(provider).close();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void loginRateHoldsEvenWhenEveryLoginIsQuick() throws Exception {
        var gate = gate(8, 10);
        // 11 logins at 10 per second: the first at once, then one every 100 ms
        assertThat(millisFor(gate, "custom", 11)).isBetween(950L, 3000L);
    }

    @Test
    void loginRateHoldsAcrossConcurrentWorkers() throws Exception {
        var gate = gate(8, 20);
        var starts = Collections.synchronizedList(new ArrayList<Long>());
        var pool = Executors.newFixedThreadPool(8);
        var go = new CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            pool.execute(() -> {
                try {
                    go.await();
                    try (var permit = gate.enter("custom")) {
                        starts.add(System.nanoTime());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        List<Long> sorted = new ArrayList<>(starts);
        Collections.sort(sorted);
        assertThat(sorted).hasSize(8);
        // 8 logins let in at most 20 per second, however many threads ask at once: at least 7 x 50 ms
        assertThat(TimeUnit.NANOSECONDS.toMillis(sorted.get(7) - sorted.get(0))).isGreaterThanOrEqualTo(330L);
    }

    @Test
    void theTighterOfProviderAndGlobalLimitWins() throws Exception {
        // icloud's own limit (2 per second, 4 at once) is tighter than the global 100 per second
        assertThat(millisFor(gate(8, 100), "icloud", 3)).isGreaterThanOrEqualTo(950L);
        assertThat(gate(8, 100).maxConcurrent("icloud")).isEqualTo(4);
        // a global limit tighter than gmail's own 5 per second wins
        assertThat(millisFor(gate(8, 2), "gmail", 3)).isGreaterThanOrEqualTo(950L);
        assertThat(gate(2, 100).maxConcurrent("gmail")).isEqualTo(2);
    }

    @Test
    void providersArePacedApart() throws Exception {
        var gate = gate(8, 2);
        gate.enter("gmail").close();
        long start = System.nanoTime();
        gate.enter("yahoo").close();
        gate.enter("custom").close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void connectionCapBlocksUntilASlotIsReturned() throws Exception {
        var gate = gate(2, 1000);
        var a = gate.enter("custom");
        var b = gate.enter("custom");
        var third = Executors.newSingleThreadExecutor().submit(() -> {
            gate.enter("custom").close();
            return System.nanoTime();
        });
        Thread.sleep(300);
        assertThat(third.isDone()).isFalse();
        long released = System.nanoTime();
        a.close();
        assertThat(third.get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(released);
        b.close();
    }

    @Test
    void customServersArePacedPerHostNotAllTogether() throws Exception {
        var gate = gate(8, 10);
        long start = System.nanoTime();
        // 10 logins to each of two hosts at 10 per second per host: about 0.9 s, not the 1.9 s of one shared lane
        for (int i = 0; i < 10; i++) {
            gate.enter("custom", "mail.a.test").close();
            gate.enter("custom", "MAIL.B.TEST").close();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ms).isBetween(850L, 1500L);
        assertThat(gate.lane("custom", "MAIL.B.TEST")).isEqualTo("custom mail.b.test");
    }

    @Test
    void providersWithTheirOwnLimitsShareOneLaneWhateverTheHost() throws Exception {
        var gate = gate(8, 10);
        // gmail has its own limits (5 per second): its hosts share them
        assertThat(gate.pacedPerHost("gmail")).isFalse();
        assertThat(gate.lane("gmail", "imap.gmail.com")).isEqualTo("gmail");
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            gate.enter("gmail", "imap.gmail.com").close();
            gate.enter("gmail", "smtp.gmail.com").close();
        }
        // 6 logins at 5 per second: the first at once, then one every 200 ms
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(950L, 2500L);
    }
}
