package com.dts.apm.store;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Open incidents: integrations that are FAILING and had a failure alert queued for the current run of failures,
 * with the reminders already queued for them. The reminder job reads them and queues the next reminder.
 */
public final class Incidents {
    private final Jdbi jdbi;

    public Incidents(Database db) {
        this.jdbi = db.jdbi();
    }

    /**
     * One open incident.
     *
     * @param failureAt when the failure email went out (the reminder schedule counts from here); null while it has not
     * @param failureStatus the failure alert's outbox status (DROPPED: an operator decided the dealer hears nothing)
     * @param lastReminder the highest reminder number queued so far, 0 for none
     * @param adminEmail the dealer's admin contact, null when there is none
     * @param contactBouncing the relay refused the contact address for good
     * @param lastOutcome the latest outcome someone must act on since the failure email (the problem may have
     *     changed: a new password, but IMAP switched off); null when there was none
     */
    public record Incident(
            long integrationId,
            Long incidentId,
            String provider,
            String contactEmail,
            Outcome outcome,
            Instant failureAt,
            OutboxStatus failureStatus,
            int lastReminder,
            String adminEmail,
            boolean contactBouncing,
            Outcome lastOutcome) {
        /** The same incident, reminded about {@code o}. */
        public Incident withOutcome(Outcome o) {
            return new Incident(
                    integrationId,
                    incidentId,
                    provider,
                    contactEmail,
                    o,
                    failureAt,
                    failureStatus,
                    lastReminder,
                    adminEmail,
                    contactBouncing,
                    lastOutcome);
        }
    }

    public List<Incident> listOpen() {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT i.id, f.incident_id, i.provider, i.contact_email, f.outcome, f.sent_at, f.status,
                               (SELECT COALESCE(max(r.reminder_number), 0) FROM alert_outbox r
                                 WHERE r.integration_id = i.id AND r.kind = :reminder AND r.id > f.id) AS n,
                               d.admin_email,
                               EXISTS (SELECT 1 FROM bouncing_address b WHERE b.address = i.contact_email) AS bouncing,
                               (SELECT c.outcome FROM check_result c
                                 WHERE c.integration_id = i.id AND c.checked_at >= f.created_at AND c.outcome IN (<fixable>)
                                 ORDER BY c.checked_at DESC, c.id DESC LIMIT 1)
                        FROM integration i JOIN dealer d ON d.id = i.dealer_id
                        JOIN alert_outbox f ON f.id = (SELECT max(x.id) FROM alert_outbox x
                                                        WHERE x.integration_id = i.id AND x.kind = :failure)
                        WHERE i.state = :failing AND i.enabled = 1 AND f.created_at >= i.state_since
                        ORDER BY i.id""")
                .bind("reminder", AlertKind.REMINDER.label())
                .bind("failure", AlertKind.FAILURE.label())
                .bind("failing", IntegrationState.FAILING.name())
                .bindList(
                        "fixable",
                        Outcome.dealerFixable().stream().map(Outcome::name).toList())
                .map((rs, ctx) -> {
                    long incident = rs.getLong(2);
                    Long incidentId = rs.wasNull() ? null : incident;
                    var admin = rs.getString(9);
                    long sent = rs.getLong(6);
                    var sentAt = rs.wasNull() ? null : Instant.ofEpochMilli(sent);
                    return new Incident(
                            rs.getLong(1),
                            incidentId,
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5) == null ? null : Outcome.valueOf(rs.getString(5)),
                            sentAt,
                            OutboxStatus.valueOf(rs.getString(7)),
                            rs.getInt(8),
                            admin == null || admin.isBlank() ? null : admin,
                            rs.getBoolean(10),
                            rs.getString(11) == null ? null : Outcome.valueOf(rs.getString(11)));
                })
                .list());
    }

    /**
     * Queues reminder {@code number} of an incident to each of {@code recipients}, in one transaction that first
     * makes sure the integration is still FAILING in the same incident. Returns false when it no longer is.
     */
    public boolean queueReminder(Incident incident, int number, List<String> recipients, Instant now) {
        return jdbi.inTransaction(h -> {
            var still = h.createQuery("""
                            SELECT count(*) FROM integration
                            WHERE id = :i AND state = :failing AND enabled = 1 AND state_since <= :failureAt""")
                            .bind("i", incident.integrationId())
                            .bind("failing", IntegrationState.FAILING.name())
                            .bind(
                                    "failureAt",
                                    incident.failureAt() == null
                                            ? Long.MAX_VALUE
                                            : incident.failureAt().toEpochMilli())
                            .mapTo(Integer.class)
                            .one()
                    > 0;
            if (!still) {
                return false;
            }
            for (var to : recipients) {
                h.createUpdate("""
                                INSERT INTO alert_outbox (integration_id, incident_id, kind, outcome, provider, recipient, status,
                                                          next_attempt_at, created_at, reminder_number)
                                VALUES (:i, :incident, :reminder, :outcome, :provider, :to, :pending, :now, :now, :n)""")
                        .bind("i", incident.integrationId())
                        .bind("reminder", AlertKind.REMINDER.label())
                        .bind("pending", OutboxStatus.PENDING.name())
                        .bind("incident", incident.incidentId())
                        .bind(
                                "outcome",
                                incident.outcome() == null
                                        ? null
                                        : incident.outcome().name())
                        .bind("provider", incident.provider())
                        .bind("to", to)
                        .bind("now", now.toEpochMilli())
                        .bind("n", number)
                        .execute();
            }
            return true;
        });
    }
}
