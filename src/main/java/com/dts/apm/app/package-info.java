/**
 * The composition root: the workspace (config, catalog, database, keys and one instance of each store object), the
 * check and alert wiring over it, and the daemon that builds every part with constructors, starts them, and stops
 * them in reverse order.
 */
package com.dts.apm.app;
