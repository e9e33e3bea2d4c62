package com.dts.apm.app;

import com.dts.apm.check.CheckListener;
import com.dts.apm.check.CheckService;
import com.dts.apm.check.ProviderGate;
import com.dts.apm.check.StateMachine;
import com.dts.apm.oauth.AccessTokens;
import com.dts.apm.probe.Probes;

/** The check machinery over a workspace: probes, provider pacing, the state machine and the check service. */
public final class Verification implements AutoCloseable {
    private final Probes probes;
    private final ProviderGate gate;
    private final CheckService service;

    public Verification(Workspace ws, CheckListener listener) {
        this(ws, listener, () -> 1);
    }

    /** As above, the provider limits shared by {@code nodes} live nodes (several daemons on one PostgreSQL database). */
    public Verification(Workspace ws, CheckListener listener, java.util.function.IntSupplier nodes) {
        this(ws, listener, nodes, com.dts.apm.process.DatabaseOutage.NONE);
    }

    /** As above, with the node's database-outage tracker (the daemon's). */
    public Verification(
            Workspace ws,
            CheckListener listener,
            java.util.function.IntSupplier nodes,
            com.dts.apm.process.DatabaseOutage outage) {
        var config = ws.config();
        this.gate = new ProviderGate(ws.catalog(), config.schedule(), ProviderGate.Ticker.SYSTEM, nodes);
        var checks = config.checks();
        // first: a client secret that cannot be read fails here, before any socket or thread exists
        // the token endpoints trust what the mail logins trust (checks.trust-store)
        var tokens = AccessTokens.create(
                config.oauth(),
                System.getenv(),
                checks.connectTimeout(),
                config.oauth().isEmpty() ? java.util.Optional.empty() : Probes.httpsContext(checks),
                ws.clock(),
                listener::tokenRefreshed);
        this.probes = Probes.create(checks);
        // the token endpoint gets the read timeout, never more than the check's deadline
        var tokenTimeout =
                checks.readTimeout().compareTo(checks.deadline()) < 0 ? checks.readTimeout() : checks.deadline();
        this.service = new CheckService(
                ws.integrations(),
                ws.checkWriter(),
                ws.catalog(),
                probes::probe,
                gate,
                new StateMachine(policy(ws)),
                config.schedule(),
                ws.clock(),
                listener,
                outage,
                tokens,
                tokenTimeout);
    }

    static StateMachine.Policy policy(Workspace ws) {
        var s = ws.config().schedule();
        var a = ws.config().alerts();
        return new StateMachine.Policy(
                s.confirmAfter(),
                s.failingRecheckInterval(),
                s.degradedAfter(),
                s.retryInitial(),
                s.retryMax(),
                a.recoveryNotice(),
                a.basicAuthDisabledToDealer(),
                a.opsEmail());
    }

    public CheckService service() {
        return service;
    }

    public ProviderGate gate() {
        return gate;
    }

    @Override
    public void close() {
        probes.close();
    }
}
