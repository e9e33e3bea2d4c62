package com.dts.apm.store;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.time.Instant;

/** One login check as kept in the history. */
public record CheckRecord(
        long id,
        long integrationId,
        Instant checkedAt,
        Protocol protocol,
        Outcome outcome,
        long durationMs,
        String detail) {}
