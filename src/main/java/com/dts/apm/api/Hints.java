package com.dts.apm.api;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.ProviderSpec;
import java.util.Locale;

/**
 * The sentence {@code POST /verify} shows the dealer on the CRM's settings page, per outcome and provider: what
 * to do now, with the provider's own app-password page and format from the catalog. It sees the password being
 * tried, so a rejected password that does not look like an app password is named as the main password. The
 * hosted reconnect page (web/) shows the same sentences.
 */
public final class Hints {
    private Hints() {}

    /** The dealer-facing sentence for {@code outcome} of a login with the password being tried. */
    public static String hint(ProviderSpec spec, Protocol protocol, Outcome outcome, boolean looksLikeAppPassword) {
        var custom = spec.id().equals(ProviderCatalog.CUSTOM);
        var provider = custom ? "Your email provider" : spec.name();
        var ap = spec.appPassword();
        var create = ap == null || ap.url() == null ? "" : " Create one at " + ap.url() + ".";
        var format = ap == null || ap.format() == null ? "" : " (" + ap.format() + ")";
        var proto = protocol.label().toUpperCase(Locale.ROOT);
        return switch (outcome) {
            case OK -> "Signed in over " + proto + ": this password works.";
            case AUTH_REJECTED -> !looksLikeAppPassword && !custom
                    ? "That looks like your main " + spec.name() + " password; " + spec.name()
                            + " needs an app password" + format + " for email programs." + create
                    : provider + " refused this password. If it was an app password, it may have been deleted, or cancelled"
                            + " by a change of the main password: make a new app password and enter it here." + create;
            case APP_PASSWORD_REQUIRED -> "That is your main " + (custom ? "account" : spec.name()) + " password; with 2-step"
                    + " verification on, " + (custom ? "your provider" : spec.name()) + " needs an app password" + format
                    + " for email programs." + create;
            case PROTOCOL_DISABLED -> "The password is right, but " + proto + " access is switched off in this mailbox's"
                    + " settings: switch it on there, then try again.";
            case ACCOUNT_LOCKED -> provider + " is holding back sign-ins to this mailbox: sign in once on the "
                    + (custom ? "provider's" : spec.name()) + " website and confirm the account, then try again.";
            case BASIC_AUTH_DISABLED -> provider + " no longer accepts any password for this mailbox, app passwords"
                    + " included: it has to be connected with Sign in with " + (custom ? "your provider" : spec.name()) + ".";
            case TLS_ERROR -> "The mail server's secure connection could not be verified. This is not about your password:"
                    + " please contact support.";
            case PROTOCOL_ERROR -> "The mail server answered in a way we did not expect, so the password could not be"
                    + " tested. Please contact support.";
            case RATE_LIMITED -> provider + " is limiting sign-ins right now. Wait a few minutes, then try again.";
            case NETWORK_ERROR -> "The mail server could not be reached. Check the server name and port, or try again in"
                    + " a few minutes.";
        };
    }
}
