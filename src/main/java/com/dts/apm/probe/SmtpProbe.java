package com.dts.apm.probe;

import com.dts.apm.config.Config;
import com.dts.apm.provider.Auth;
import com.dts.apm.provider.Protocol;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import java.security.Provider;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/** SMTP check: connect, EHLO, (STARTTLS, EHLO), AUTH, QUIT. Never MAIL FROM, never a message. */
final class SmtpProbe extends MailProbe {
    SmtpProbe(
            Config.Checks checks,
            Trust trust,
            Provider tlsProvider,
            java.util.Set<Connection> active,
            ScheduledExecutorService writeTimeouts,
            AtomicInteger busy) {
        super(Protocol.SMTP, checks, trust, tlsProvider, active, writeTimeouts, busy);
    }

    @Override
    void moreProperties(String prefix, Properties props) {
        props.put(prefix + "auth", "true");
        props.put(prefix + "ehlo", "true");
    }

    @Override
    Failure converse(ProbeTarget target, Session session, Connection connection) {
        SMTPTransport transport = null;
        try {
            // an OAuth check logs in with XOAUTH2 or not at all (never AUTH PLAIN / LOGIN with the token)
            transport = (SMTPTransport)
                    (target.auth() == Auth.OAUTH2
                            ? session.getTransport(XoauthOnly.SMTP)
                            : session.getTransport("smtp"));
            var endpoint = target.endpoint();
            transport.connect(
                    endpoint.host(),
                    endpoint.port(),
                    target.username(),
                    target.password().reveal());
            // Angus connects without AUTH when the server offers none: that is not a verified login.
            if (!transport.supportsExtension("AUTH") && !transport.supportsExtension("AUTH=LOGIN")) {
                return Failure.reply(Protocol.SMTP, Failure.Stage.NO_AUTH, transport.getLastReturnCode(), null);
            }
            transport.close(); // QUIT
            return null;
        } catch (MessagingException | RuntimeException e) {
            return failure(target, transport, e);
        } finally {
            closeQuietly(transport);
        }
    }

    /** A reply code of 400 or more is the server's refusal in its own words; anything else is an error. */
    private static Failure failure(ProbeTarget target, SMTPTransport transport, Exception e) {
        var code = transport == null ? -1 : transport.getLastReturnCode();
        var reply = transport == null ? null : transport.getLastServerResponse();
        if (target.auth() == Auth.OAUTH2
                && transport != null
                && e instanceof jakarta.mail.AuthenticationFailedException
                && code < 300
                && !offersXoauth2(transport)) {
            // Angus sent nothing: the server offers no XOAUTH2 (XoauthOnly.Smtp takes no other mechanism)
            return Failure.reply(
                    Protocol.SMTP,
                    Failure.Stage.NO_XOAUTH2,
                    code,
                    XoauthOnly.smtpMechanisms(
                            transport.getExtensionParameter("AUTH"), transport.supportsExtension("AUTH=LOGIN")));
        }
        if (target.auth() == Auth.OAUTH2 && code == 334 && e instanceof jakarta.mail.AuthenticationFailedException) {
            // The server answered the token with an error challenge (334 + base64 JSON); Angus gives up there
            // without the final 535, so the challenge stands for it.
            var why = XoauthChallenge.decode(reply);
            return new Failure(
                    Protocol.SMTP,
                    Failure.Stage.LOGIN,
                    535,
                    "XOAUTH2 token refused" + (why == null ? "" : ": " + why),
                    e);
        }
        if (code >= 400 && reply != null) {
            var stage = e instanceof jakarta.mail.AuthenticationFailedException
                    ? Failure.Stage.LOGIN
                    : Failure.Stage.CONNECT;
            return new Failure(Protocol.SMTP, stage, code, reply, e);
        }
        return Failure.error(Protocol.SMTP, Failure.Stage.CONNECT, e);
    }

    private static boolean offersXoauth2(SMTPTransport transport) {
        var mechanisms = transport.getExtensionParameter("AUTH");
        if (mechanisms == null) {
            return false;
        }
        for (var m : mechanisms.strip().split("\\s+")) {
            if (m.equalsIgnoreCase(XoauthOnly.MECHANISM)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(SMTPTransport transport) {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException | RuntimeException e) {
                // the check already has its answer
            }
        }
    }
}
