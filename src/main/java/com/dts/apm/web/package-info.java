/**
 * The hosted reconnect page: a server-rendered form (no JavaScript needed) on the API listener where a dealer enters
 * a new app password from the link in a failure email; it is checked live and saved only when it works. It reuses
 * the API's verify path ({@code api.Api.Checks}) and the dealer hints of the verify-hints wording ({@code AlertComposer.verifyHint}), and renders with the
 * email templates' engine and steps ({@code notify.AlertComposer}).
 */
package com.dts.apm.web;
