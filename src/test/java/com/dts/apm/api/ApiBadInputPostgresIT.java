package com.dts.apm.api;

import com.dts.apm.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ApiBadInputIT} with the daemon's database on a real PostgreSQL. */
class ApiBadInputPostgresIT extends ApiBadInputIT {
    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    @Override
    ApiHarness harness(Path dir, String... extraConfig) throws IOException {
        return ApiHarness.onPostgres(pg, dir, extraConfig);
    }
}
