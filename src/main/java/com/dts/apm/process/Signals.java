package com.dts.apm.process;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * {@code sun.misc.Signal} and {@code SignalHandler}, reached by name. The JDK has no public API to take a signal;
 * the {@code jdk.unsupported} module exports these classes for exactly this, but javac warns at every compile-time
 * reference to them, and no {@code @SuppressWarnings} silences that warning, which a {@code -Werror} build cannot
 * carry. Handlers are opaque {@code Object}s here; {@link StopSignal} is the only user.
 */
final class Signals {
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;
    private static final MethodHandle RAISE;
    private static final MethodHandle GET_NAME;
    private static final MethodHandle CALL_HANDLER;

    static {
        try {
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            var lookup = MethodHandles.publicLookup();
            NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
            RAISE = lookup.findStatic(SIGNAL, "raise", MethodType.methodType(void.class, SIGNAL));
            GET_NAME = lookup.findVirtual(SIGNAL, "getName", MethodType.methodType(String.class));
            CALL_HANDLER = lookup.findVirtual(HANDLER, "handle", MethodType.methodType(void.class, SIGNAL));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Signals() {}

    /**
     * Sets {@code handler} for the signal {@code name} ({@code TERM}, {@code INT}) and returns the one it replaces.
     *
     * @throws IllegalArgumentException when the JVM keeps this signal ({@code -Xrs}) or the platform has none
     */
    static Object handle(String name, Object handler) {
        return invoke(() -> HANDLE.invoke(NEW_SIGNAL.invoke(name), handler));
    }

    /** A handler that tells {@code onSignal} the name of each signal it receives. */
    static Object handler(Consumer<String> onSignal) {
        return Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "handle" -> onSignal.accept((String) GET_NAME.invoke(args[0]));
                case "toString" -> {
                    return "StopSignal handler";
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                default -> throw new UnsupportedOperationException(method.getName());
            }
            return null;
        });
    }

    /**
     * Hands signal {@code name} to {@code handler}, a handler {@link #handle} returned.
     *
     * @throws UnsupportedOperationException when that handler is a native disposition (default, ignore)
     */
    static void call(Object handler, String name) {
        invoke(() -> {
            CALL_HANDLER.invoke(handler, NEW_SIGNAL.invoke(name));
            return null;
        });
    }

    /** Raises signal {@code name} in this process. */
    static void raise(String name) {
        invoke(() -> {
            RAISE.invoke(NEW_SIGNAL.invoke(name));
            return null;
        });
    }

    private interface Call {
        Object run() throws Throwable;
    }

    private static Object invoke(Call call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("sun.misc.Signal: " + e, e);
        }
    }
}
