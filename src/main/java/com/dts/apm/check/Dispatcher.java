package com.dts.apm.check;

import com.dts.apm.process.DatabaseOutage;
import com.dts.apm.process.ErrorLog;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due integrations from the database on every tick and hands them to a bounded worker pool,
 * never more logins at once than the global cap or a provider's cap, and never the same integration twice.
 * A check gives its login slot back once it has logged in, so the next login starts while its result is
 * written; at most as many again may be writing. The database decides what is due, so changes made from
 * the command line are seen on the next tick.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final IntegrationStore store;
    private final CheckService checks;
    private final ProviderGate gate;
    private final Clock clock;
    private final int maxConcurrent;
    private final ExecutorService workers;
    /** Claimed and not yet recorded: logging in, or writing the result. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /** Checks still logging in: what {@code max-concurrent-checks} caps. */
    private final AtomicInteger loggingIn = new AtomicInteger();
    /** In flight at most: {@code maxConcurrent} logging in plus as many writing their results. */
    private final int maxInFlight;

    private final Map<String, AtomicInteger> perProvider = new ConcurrentHashMap<>();
    private final AtomicBoolean claiming = new AtomicBoolean(true);
    private final ErrorLog errors;
    private final DatabaseOutage outage;
    private final Duration retryAfterError;
    // Integrations whose check threw (a bug, a locked database): still due in the database, retried after a pause
    // instead of on every tick, so a check that fails after its logins cannot hammer the provider.
    private final Map<Long, Instant> notBefore = new ConcurrentHashMap<>();
    /** Set when a tick left due work behind for lack of free slots: a finishing check then claims again at once. */
    private volatile boolean backlog;

    private final AtomicBoolean refillQueued = new AtomicBoolean();
    private final AtomicLong rounds = new AtomicLong();
    private final ExecutorService refiller;
    private final String node;
    private final Duration lease;

    /**
     * {@code retryAfterError}: how long an integration whose check threw waits before it is claimed again;
     * {@code errorCount} is told "dispatch" or "check" on every such failure.
     */
    public Dispatcher(
            IntegrationStore store,
            CheckService checks,
            ProviderGate gate,
            Clock clock,
            int maxConcurrent,
            Duration retryAfterError,
            Consumer<String> errorCount) {
        this(
                store,
                checks,
                gate,
                clock,
                maxConcurrent,
                retryAfterError,
                errorCount,
                "local",
                Duration.ofMinutes(2),
                DatabaseOutage.NONE);
    }

    /**
     * As above, claiming as {@code node} with leases of {@code lease} (PostgreSQL, several nodes: see
     * {@link IntegrationStore#claimDue}); the lease must outlast a check and its write. A failure that says the
     * database is out of reach is the node's {@code outage}'s to log, and every claim that works tells it so.
     */
    public Dispatcher(
            IntegrationStore store,
            CheckService checks,
            ProviderGate gate,
            Clock clock,
            int maxConcurrent,
            Duration retryAfterError,
            Consumer<String> errorCount,
            String node,
            Duration lease,
            DatabaseOutage outage) {
        this.node = node;
        this.lease = lease;
        this.outage = outage;
        this.errors = new ErrorLog(log, errorCount, outage);
        this.store = store;
        this.retryAfterError = retryAfterError;
        this.checks = checks;
        this.gate = gate;
        this.clock = clock;
        this.maxConcurrent = maxConcurrent;
        this.maxInFlight = 2 * maxConcurrent;
        var n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(
                maxInFlight, maxInFlight, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    var t = new Thread(r, "check-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.refiller = Executors.newSingleThreadExecutor(r -> {
            var t = new Thread(r, "dispatch-refill");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * One dispatch round: claim what is due and fits the limits. Never throws. Runs on the scheduler's tick
     * and, while due work is waiting for a slot, again whenever a check finishes (so a round is not paced by
     * the tick period). Synchronized: two claims at once could start the same integration twice.
     */
    public synchronized void tick() {
        if (!claiming.get()) {
            return;
        }
        try {
            int free = Math.min(maxConcurrent - loggingIn.get(), maxInFlight - inFlight.size());
            if (free <= 0) {
                backlog = true;
                return;
            }
            var now = clock.instant();
            notBefore.values().removeIf(t -> !t.isAfter(now));
            // ask for more than fits: some rows may belong to a provider that is at its cap or wait after an error.
            // The ones in flight are left out by the query: a refill after each finished check would read them all
            // again.
            int limit = free * 4 + notBefore.size();
            var due = store.claimDue(now, limit, Set.copyOf(inFlight), node, now.plus(lease));
            outage.succeeded(); // every node claims every second: the first to see the database back
            boolean left = due.size() == limit;
            var unstarted = new java.util.ArrayList<Long>();
            for (var i : due) {
                if (loggingIn.get() >= maxConcurrent || inFlight.size() >= maxInFlight || !claiming.get()) {
                    left = true;
                    unstarted.add(i.id());
                    continue;
                }
                if (inFlight.contains(i.id())) {
                    continue; // its lease is its running check's
                }
                if (notBefore.containsKey(i.id())) {
                    unstarted.add(i.id());
                    continue;
                }
                // one count per gate lane: a provider, or one server host of a provider paced per host
                var first = i.endpoint(
                        java.util.EnumSet.copyOf(i.protocols()).iterator().next());
                var count = perProvider.computeIfAbsent(
                        gate.lane(i.provider(), first == null ? null : first.host()), p -> new AtomicInteger());
                if (count.get() >= gate.maxConcurrent(i.provider())) {
                    left = true;
                    unstarted.add(i.id());
                    continue;
                }
                count.incrementAndGet();
                loggingIn.incrementAndGet();
                inFlight.add(i.id());
                workers.execute(() -> run(i, count));
            }
            // another node may check these meanwhile (on SQLite, with no leases, this does nothing)
            store.releaseClaims(unstarted, node);
            backlog = left;
            errors.recovered("dispatch");
        } catch (RuntimeException e) {
            errors.failed("dispatch", e);
        } finally {
            rounds.incrementAndGet();
        }
    }

    /**
     * How many claim rounds have ended since the start (the ones after {@link #stop} not counted). Rounds never
     * overlap, so once this has grown by two, a whole round has looked at the database since it was read.
     */
    public long rounds() {
        return rounds.get();
    }

    private void run(Integration i, AtomicInteger count) {
        // keyed by integration: one broken integration logs once, however many others succeed meanwhile
        var what = "check of integration " + i.id();
        var slot = new AtomicBoolean(true);
        Runnable loggedIn = () -> {
            if (slot.getAndSet(false)) {
                loggingIn.decrementAndGet();
                count.decrementAndGet();
                if (backlog && claiming.get()) {
                    refill(); // the next login starts while this result is written
                }
            }
        };
        try {
            checks.check(i, loggedIn);
            errors.recovered(what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            notBefore.put(i.id(), clock.instant().plus(retryAfterError));
            errors.failed(what, "check", e);
        } finally {
            inFlight.remove(i.id());
            loggedIn.run(); // the check threw before its logins were done
            if (backlog && claiming.get()) {
                refill();
            }
        }
    }

    /** Queues one extra claim; finishing checks that arrive while one is queued share it. */
    private void refill() {
        if (refillQueued.compareAndSet(false, true)) {
            try {
                refiller.execute(() -> {
                    refillQueued.set(false);
                    tick();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                refillQueued.set(false);
            }
        }
    }

    public int inFlight() {
        return inFlight.size();
    }

    public boolean isClaiming() {
        return claiming.get();
    }

    /**
     * Stops claiming, lets in-flight checks finish (and record) for up to {@code grace}, then interrupts
     * the rest. Returns how many were still running when the grace ran out.
     */
    public int stop(Duration grace) {
        claiming.set(false);
        refiller.shutdown();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                int left = inFlight.size();
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
                return left;
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
