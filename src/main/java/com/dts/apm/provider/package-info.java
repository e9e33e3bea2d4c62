/**
 * The provider catalog: server presets, mail domains, app-password pages and formats, the error signatures that
 * tell one failure from another, and the policy rule of a provider that takes no passwords. Also the closed sets
 * every other package shares ({@code Outcome}, {@code AlertKind}, {@code Protocol}, {@code Security}), kept here,
 * at the bottom, so that {@code store} and {@code notify} can both use them without seeing each other.
 */
package com.dts.apm.provider;
