/**
 * The dealer-system REST API on its own Jetty listener: routes under {@code /api/v1}, bearer tokens and their
 * scopes, strict JSON in and RFC 9457 problems out, per-request log and metrics, and the OpenAPI document.
 */
package com.dts.apm.api;
