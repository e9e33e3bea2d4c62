package com.dts.apm.probe;

import java.security.Provider;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS implementation the probes' handshakes use ({@code checks.tls-provider}): Conscrypt (BoringSSL), which
 * costs about half the JDK's CPU per handshake, or the JDK's own. Only the handshake and the record layer change:
 * the trust managers, the host-name check and the protocol versions are the same on both. When Conscrypt's native
 * library cannot load (another CPU architecture or C library, a temporary folder mounted noexec) the probes use the
 * JDK's TLS, and say so once per process.
 */
final class TlsProvider {
    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    private static final AtomicBoolean TOLD = new AtomicBoolean();

    private TlsProvider() {}

    /** The provider for {@code configured} ({@code conscrypt} or {@code jdk}); null means the JDK's default. */
    static Provider select(String configured) {
        if (!"conscrypt".equals(configured)) {
            tell(() -> LOG.info("TLS provider: JDK (checks.tls-provider: {})", configured));
            return null;
        }
        var conscrypt = Conscrypt.PROVIDER;
        if (conscrypt == null) {
            tell(() -> LOG.warn(
                    "TLS provider: JDK; Conscrypt cannot load ({}): checks verify exactly as"
                            + " before, at about twice the CPU per TLS handshake",
                    Conscrypt.PROBLEM));
        } else {
            tell(() -> LOG.info("TLS provider: Conscrypt {} (BoringSSL)", Conscrypt.VERSION));
        }
        return conscrypt;
    }

    /** The name the log and the benchmark use. */
    static String name(Provider provider) {
        return provider == null ? "JDK" : "Conscrypt";
    }

    private static void tell(Runnable log) {
        if (TOLD.compareAndSet(false, true)) {
            log.run();
        }
    }

    /** Loaded on first use, once per process: the native library loads once or never. */
    private static final class Conscrypt {
        static final Provider PROVIDER;
        static final String VERSION;
        static final String PROBLEM;

        static {
            Provider provider = null;
            String version = null;
            String problem = null;
            try {
                org.conscrypt.Conscrypt.checkAvailability();
                provider = org.conscrypt.Conscrypt.newProvider();
                var v = org.conscrypt.Conscrypt.version();
                version = v.major() + "." + v.minor() + "." + v.patch();
            } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
                var cause = e;
                while (cause.getCause() != null && cause.getCause() != cause) {
                    cause = cause.getCause();
                }
                var message = cause.getMessage();
                problem = cause.getClass().getSimpleName()
                        + (message == null
                                ? ""
                                : ": " + message.lines().findFirst().orElse(""));
                provider = null;
            }
            PROVIDER = provider;
            VERSION = version;
            PROBLEM = problem;
        }
    }
}
