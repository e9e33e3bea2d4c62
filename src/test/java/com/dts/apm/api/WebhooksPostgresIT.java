package com.dts.apm.api;

import com.dts.apm.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WebhooksIT} with the daemon's database on a real PostgreSQL. */
class WebhooksPostgresIT extends WebhooksIT {
    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    @Override
    ApiHarness harness(Path dir, String... extraConfig) throws IOException {
        return ApiHarness.onPostgres(pg, dir, extraConfig);
    }
}
