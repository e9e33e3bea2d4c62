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
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

/**
 * IMAP check: connect, LOGIN (or AUTHENTICATE PLAIN), then {@code LIST "" ""} — Exchange may accept LOGIN and
 * refuse the next command that needs the mailbox ("User is authenticated but not connected"); LIST needs it, a NOOP
 * may be answered by the front end alone, so one LIST is the shortest conversation that still catches it — then
 * LOGOUT. No mailbox is selected, nothing is read, flagged or changed.
 */
final class ImapProbe extends MailProbe {
    ImapProbe(
            Config.Checks checks,
            Trust trust,
            Provider tlsProvider,
            java.util.Set<Connection> active,
            ScheduledExecutorService writeTimeouts,
            AtomicInteger busy) {
        super(Protocol.IMAP, checks, trust, tlsProvider, active, writeTimeouts, busy);
    }

    @Override
    void moreProperties(String prefix, Properties props) {
        props.put(prefix + "connectionpoolsize", "1");
        props.put(prefix + "separatestoreconnection", "false");
    }

    @Override
    Failure converse(ProbeTarget target, Session session, Connection connection) {
        IMAPStore store = null;
        var stage = Failure.Stage.CONNECT;
        try {
            // an OAuth check logs in with XOAUTH2 or not at all (never LOGIN with the token as a password)
            store = (IMAPStore)
                    (target.auth() == Auth.OAUTH2 ? session.getStore(XoauthOnly.IMAP) : session.getStore("imap"));
            stage = Failure.Stage.LOGIN;
            var endpoint = target.endpoint();
            store.connect(
                    endpoint.host(),
                    endpoint.port(),
                    target.username(),
                    target.password().reveal());
            stage = Failure.Stage.AFTER_LOGIN;
            var root = (IMAPFolder) store.getDefaultFolder();
            // doCommand would turn a BYE into a StoreClosedException without the response: keep it here
            var refused = new ProtocolException[1];
            root.doCommand(p -> {
                try {
                    p.list("", "");
                } catch (ProtocolException e) {
                    refused[0] = e;
                }
                return null;
            });
            if (refused[0] != null) {
                return Failure.error(Protocol.IMAP, stage, refused[0]);
            }
            store.close(); // LOGOUT
            return null;
        } catch (MessagingException | RuntimeException e) {
            var notOffered = notOffered(e);
            if (notOffered != null) {
                return Failure.reply(Protocol.IMAP, Failure.Stage.NO_XOAUTH2, -1, notOffered.mechanisms());
            }
            if (target.auth() == Auth.OAUTH2 && e instanceof jakarta.mail.AuthenticationFailedException) {
                var why = XoauthChallenge.decode(connection.continuation());
                if (why != null) {
                    var said = e.getMessage() == null ? "" : e.getMessage() + " ";
                    return new Failure(Protocol.IMAP, Failure.Stage.LOGIN, -1, said + "(XOAUTH2: " + why + ")", e);
                }
            }
            return Failure.error(Protocol.IMAP, stage(stage, e), e);
        } finally {
            closeQuietly(store);
        }
    }

    private static XoauthOnly.NotOffered notOffered(Throwable e) {
        for (var t = e; t != null; t = t.getCause()) {
            if (t instanceof XoauthOnly.NotOffered n) {
                return n;
            }
        }
        return null;
    }

    /** Angus reports greeting, STARTTLS and TLS failures from connect(); keep LOGIN for replies to it. */
    private static Failure.Stage stage(Failure.Stage stage, Exception e) {
        return stage == Failure.Stage.LOGIN && !(e instanceof jakarta.mail.AuthenticationFailedException)
                ? Failure.Stage.CONNECT
                : stage;
    }

    private static void closeQuietly(IMAPStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (MessagingException | RuntimeException e) {
                // the check already has its answer
            }
        }
    }
}
