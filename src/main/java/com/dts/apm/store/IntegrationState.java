package com.dts.apm.store;

/** Where an integration stands (design.md): the stored value, the JSON value and the metric tag. */
public enum IntegrationState {
    /** Never checked. */
    UNKNOWN,
    HEALTHY,
    /** One dealer-actionable failure, waiting for a confirming re-check. */
    SUSPECT,
    /** Confirmed failure; the dealer has been told. */
    FAILING,
    /** Transient or ops-side failures that lasted past the threshold. */
    DEGRADED,
    /** Switched off by hand: not checked. */
    DISABLED
}
