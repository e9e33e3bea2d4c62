package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The probes run on Conscrypt where its native library loads, and on the JDK's TLS where it cannot (failsafe's
 * {@code probe-suite-on-jdk-tls} execution leaves its jar off the class path) or where {@code checks.tls-provider: jdk} says so.
 */
class TlsProviderIT {
    private static final boolean NATIVE_BLOCKED = Boolean.getBoolean("apm.test.without-conscrypt");

    @Test
    void probesUseConscryptUnlessItsNativeLibraryCannotLoad() {
        try (var probes = Probes.create(TestCerts.defaultChecks(Duration.ofSeconds(5)))) {
            assertThat(probes.tlsProvider()).isEqualTo(NATIVE_BLOCKED ? "JDK" : "Conscrypt");
        }
    }

    @Test
    void probesUseTheJdksTlsWhenConfigured() {
        try (var probes =
                Probes.create(TestCerts.withTls(TestCerts.defaultChecks(Duration.ofSeconds(5)), "jdk", null))) {
            assertThat(probes.tlsProvider()).isEqualTo("JDK");
        }
    }
}
