/**
 * The hosted reconnect page: a server-rendered form (no JavaScript needed) on the API listener where a dealer enters
 * a new app password from the link in a failure email; it is checked live and saved only when it works.
 */
package com.dts.apm.web;
