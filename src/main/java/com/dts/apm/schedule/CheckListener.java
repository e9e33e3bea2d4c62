package com.dts.apm.schedule;

import com.dts.apm.probe.ProbeResult;
import com.dts.apm.store.Integration;

/** Told about every finished login check (metrics hang here). */
public interface CheckListener {
    CheckListener NONE = (integration, result) -> {};

    void checked(Integration integration, ProbeResult result);
}
