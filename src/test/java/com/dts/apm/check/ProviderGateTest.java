package com.dts.apm.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.TestConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The per-provider login rate and connection cap, on a fake ticker: waiting moves the fake time on at once, so the
 * pacing is asserted to the nanosecond and the test takes no wall-clock time. One test keeps the real clock.
 */
class ProviderGateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A ticker that never sleeps: a wait jumps the time to its end, and every wait is written down. */
    private static final class FakeTicker implements ProviderGate.Ticker {
        final AtomicLong now = new AtomicLong(1_000_000 * MS);
        final List<Long> waitedUntil = Collections.synchronizedList(new ArrayList<>());

        @Override
        public long nanos() {
            return now.get();
        }

        @Override
        public void sleepUntil(long nanos) {
            waitedUntil.add(nanos);
            now.accumulateAndGet(nanos, Math::max);
        }

        long elapsedMillis(long since) {
            return TimeUnit.NANOSECONDS.toMillis(now.get() - since);
        }
    }

    private static Config.Schedule schedule(int perProvider, double perSecond) {
        return TestConfig.scheduleOf(
                s -> s.maxConcurrentPerProvider(perProvider).loginsPerSecondPerProvider(perSecond));
    }

    private static ProviderGate gate(int perProvider, double perSecond, ProviderGate.Ticker ticker) {
        return new ProviderGate(ProviderCatalog.builtIn(), schedule(perProvider, perSecond), ticker);
    }

    private static long millisFor(ProviderGate gate, FakeTicker ticker, String provider, int logins)
            throws InterruptedException {
        long start = ticker.nanos();
        for (int i = 0; i < logins; i++) {
            gate.enter(provider).close();
        }
        return ticker.elapsedMillis(start);
    }

    @Test
    void loginRateHoldsEvenWhenEveryLoginIsQuick() throws Exception {
        var ticker = new FakeTicker();
        var gate = gate(8, 10, ticker);
        // 11 logins at 10 per second: the first at once, then one every 100 ms
        assertThat(millisFor(gate, ticker, "custom", 11)).isEqualTo(1000L);
        assertThat(ticker.waitedUntil).hasSize(10);
    }

    @Test
    void liveNodesShareTheClusterWideRateAndCap() throws Exception {
        var ticker = new FakeTicker();
        var nodes = new java.util.concurrent.atomic.AtomicInteger(2);
        var gate = new ProviderGate(ProviderCatalog.builtIn(), schedule(8, 10), ticker, nodes::get);
        // 10 per second for the cluster, two nodes: this one logs in every 200 ms, and takes 4 of the 8 slots
        assertThat(millisFor(gate, ticker, "custom", 6)).isEqualTo(1000L);
        assertThat(gate.maxConcurrent("custom")).isEqualTo(4);
        nodes.set(3);
        assertThat(gate.maxConcurrent("custom")).isEqualTo(2);
        nodes.set(20); // more nodes than slots: one each, never none
        assertThat(gate.maxConcurrent("custom")).isEqualTo(1);
        // a node died: the survivor gets the whole rate back at once
        nodes.set(1);
        gate.enter("custom").close(); // still 200 ms after the last login, spaced for two nodes
        assertThat(millisFor(gate, ticker, "custom", 5)).isEqualTo(500L);
        assertThat(gate.maxConcurrent("custom")).isEqualTo(8);
    }

    @Test
    void loginRateHoldsAcrossConcurrentWorkers() throws Exception {
        var ticker = new FakeTicker();
        long start = ticker.nanos();
        var gate = gate(8, 20, ticker);
        var pool = Executors.newFixedThreadPool(8);
        var go = new CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            pool.execute(() -> {
                try {
                    go.await();
                    gate.enter("custom").close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        go.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        // 8 logins let in at most 20 per second, however many threads ask at once: one at once, then one every 50 ms
        List<Long> slots = new ArrayList<>(ticker.waitedUntil);
        Collections.sort(slots);
        assertThat(slots)
                .extracting(t -> TimeUnit.NANOSECONDS.toMillis(t - start))
                .containsExactly(50L, 100L, 150L, 200L, 250L, 300L, 350L);
    }

    @Test
    void theRealClockIsWaitedOn() throws Exception {
        var gate = new ProviderGate(ProviderCatalog.builtIn(), schedule(8, 10));
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            gate.enter("custom").close();
        }
        // the production ticker really sleeps: 3 logins at 10 per second take at least 2 x 100 ms
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(195L);
    }

    @Test
    void theTighterOfProviderAndGlobalLimitWins() throws Exception {
        // icloud's own limit (2 per second, 4 at once) is tighter than the global 100 per second
        var ticker = new FakeTicker();
        assertThat(millisFor(gate(8, 100, ticker), ticker, "icloud", 3)).isEqualTo(1000L);
        assertThat(gate(8, 100, ticker).maxConcurrent("icloud")).isEqualTo(4);
        // a global limit tighter than gmail's own 5 per second wins
        assertThat(millisFor(gate(8, 2, ticker), ticker, "gmail", 3)).isEqualTo(1000L);
        assertThat(gate(2, 100, ticker).maxConcurrent("gmail")).isEqualTo(2);
    }

    @Test
    void providersArePacedApart() throws Exception {
        var ticker = new FakeTicker();
        var gate = gate(8, 2, ticker);
        gate.enter("gmail").close();
        long start = ticker.nanos();
        gate.enter("yahoo").close();
        gate.enter("custom").close();
        assertThat(Duration.ofNanos(ticker.nanos() - start)).isZero();
        assertThat(ticker.waitedUntil).isEmpty();
    }

    @Test
    void connectionCapBlocksUntilASlotIsReturned() throws Exception {
        var ticker = new FakeTicker();
        var gate = gate(2, 1000, ticker);
        var a = gate.enter("custom");
        var b = gate.enter("custom");
        var asking = new AtomicReference<Thread>();
        var released = new AtomicLong();
        var third = CompletableFuture.supplyAsync(
                () -> {
                    asking.set(Thread.currentThread());
                    try {
                        gate.enter("custom").close();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return released.get();
                },
                Executors.newSingleThreadExecutor());
        // the third caller parks on the connection slots (no pacing wait can park it: the fake ticker never sleeps)
        Await.until(
                "the third caller waits for a slot",
                Duration.ofSeconds(5),
                () -> asking.get() != null && asking.get().getState() == Thread.State.WAITING);
        assertThat(third.isDone()).isFalse();
        released.set(1);
        a.close();
        assertThat(third.get(5, TimeUnit.SECONDS))
                .as("let in only after a slot was returned")
                .isEqualTo(1L);
        b.close();
    }

    @Test
    void customServersArePacedPerHostNotAllTogether() throws Exception {
        var ticker = new FakeTicker();
        var gate = gate(8, 10, ticker);
        long start = ticker.nanos();
        // 10 logins to each of two hosts at 10 per second per host: 0.9 s, not the 1.9 s of one shared lane
        for (int i = 0; i < 10; i++) {
            gate.enter("custom", "mail.a.test").close();
            gate.enter("custom", "MAIL.B.TEST").close();
        }
        assertThat(ticker.elapsedMillis(start)).isEqualTo(900L);
        assertThat(gate.lane("custom", "MAIL.B.TEST")).isEqualTo("custom mail.b.test");
    }

    @Test
    void providersWithTheirOwnLimitsShareOneLaneWhateverTheHost() throws Exception {
        var ticker = new FakeTicker();
        var gate = gate(8, 10, ticker);
        // gmail has its own limits (5 per second): its hosts share them
        assertThat(gate.pacedPerHost("gmail")).isFalse();
        assertThat(gate.lane("gmail", "imap.gmail.com")).isEqualTo("gmail");
        long start = ticker.nanos();
        for (int i = 0; i < 3; i++) {
            gate.enter("gmail", "imap.gmail.com").close();
            gate.enter("gmail", "smtp.gmail.com").close();
        }
        // 6 logins at 5 per second: the first at once, then one every 200 ms
        assertThat(ticker.elapsedMillis(start)).isEqualTo(1000L);
    }
}
