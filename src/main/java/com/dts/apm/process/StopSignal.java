package com.dts.apm.process;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT, taken as the first thing the program does so that a stop during start-up is never the JVM's
 * abrupt exit 143. Until a command says what a stop means, a signal is only remembered: {@code run} {@link #claim()}s
 * it (its start-up sees {@link #requested()} between steps and stops in order, exit 0); every other command
 * {@link #release()}s it, and a remembered signal then ends the process the JVM's way, as it always did.
 */
public final class StopSignal {
    private static final List<String> NAMES = List.of("TERM", "INT");

    // No logger here: this class loads before anything else, and Logback's start-up would delay taking the signals.
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Map<String, Object> previous = new HashMap<>(); // signal name -> the handler it had; guarded by this
    private boolean claimed; // guarded by this
    private boolean released; // guarded by this
    private String first; // the first signal's name; guarded by this

    private StopSignal() {}

    /** Takes the signals now (the process's {@code main}). */
    public static StopSignal install() {
        var s = new StopSignal();
        s.take();
        return s;
    }

    /** Takes nothing until {@link #claim()} (a command line run inside another program, such as a test). */
    public static StopSignal later() {
        return new StopSignal();
    }

    private synchronized void take() {
        for (var name : NAMES) {
            try {
                previous.put(name, Signals.handle(name, Signals.handler(this::receive)));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal (-Xrs) or the platform has none: its default stays
            }
        }
    }

    private void receive(String signal) {
        boolean notOurs;
        synchronized (this) {
            notOurs = released;
            if (!notOurs && first == null) {
                first = signal;
            }
        }
        if (notOurs) {
            forward(signal);
        } else {
            stop.countDown();
        }
    }

    /** The daemon's: from now on a signal stops it in order; one that arrived before counts. */
    public synchronized void claim() {
        if (previous.isEmpty()) {
            take();
        }
        claimed = true;
    }

    /** Not the daemon: signals act as the JVM's own again, and one that arrived meanwhile does so now. */
    public void release() {
        String early;
        synchronized (this) {
            if (claimed || released) {
                return;
            }
            released = true;
            previous.forEach(Signals::handle);
            early = first;
        }
        if (early != null) {
            forward(early);
        }
    }

    private void forward(String signal) {
        Object handler;
        synchronized (this) {
            handler = previous.get(signal);
        }
        try {
            if (handler == null) {
                throw new UnsupportedOperationException();
            }
            Signals.call(handler, signal); // the JVM's own: shutdown hooks, then exit 128 + signal number
        } catch (UnsupportedOperationException nativeHandler) {
            Signals.raise(signal); // a native disposition (default, ignore), restored above, acts
        }
    }

    /** True once SIGTERM or SIGINT arrived. */
    public boolean requested() {
        return stop.getCount() == 0;
    }

    /** The first signal that asked to stop ({@code SIGTERM}), null while none did. */
    public synchronized String received() {
        return first == null ? null : "SIG" + first;
    }

    /** Waits for a stop. */
    public void await() throws InterruptedException {
        stop.await();
    }
}
