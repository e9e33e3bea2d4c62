package com.dts.apm.store;

import com.dts.apm.provider.Outcome;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Open incidents: integrations that are FAILING and got a failure alert for the current run of failures,
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
     * @param failureAt when the failure alert was queued (the reminder schedule counts from here)
     * @param failureStatus the failure alert's outbox status (DROPPED: an operator decided the dealer hears nothing)
     * @param lastReminder the highest reminder number queued so far, 0 for none
     * @param adminEmail the dealer's admin contact, null when there is none
     */
    public record Incident(long integrationId, Long incidentId, String provider, String contactEmail, Outcome outcome,
            Instant failureAt, String failureStatus, int lastReminder, String adminEmail) {}

    public List<Incident> listOpen() {
        return jdbi.withHandle(h -> h.createQuery("SELECT i.id, f.incident_id, i.provider, i.contact_email, f.outcome, f.created_at,"
                        + " f.status, (SELECT COALESCE(max(r.reminder_number), 0) FROM alert_outbox r WHERE r.integration_id = i.id"
                        + "   AND r.kind = 'reminder' AND r.id > f.id) AS n, d.admin_email"
                        + " FROM integration i JOIN dealer d ON d.id = i.dealer_id"
                        + " JOIN alert_outbox f ON f.id = (SELECT max(x.id) FROM alert_outbox x WHERE x.integration_id = i.id"
                        + "   AND x.kind = 'failure')"
                        + " WHERE i.state = 'FAILING' AND i.enabled = 1 AND f.created_at >= i.state_since ORDER BY i.id")
                .map((rs, ctx) -> {
                    long incident = rs.getLong(2);
                    Long incidentId = rs.wasNull() ? null : incident;
                    var admin = rs.getString(9);
                    return new Incident(rs.getLong(1), incidentId, rs.getString(3), rs.getString(4),
                            rs.getString(5) == null ? null : Outcome.valueOf(rs.getString(5)), Instant.ofEpochMilli(rs.getLong(6)),
                            rs.getString(7), rs.getInt(8), admin == null || admin.isBlank() ? null : admin);
                })
                .list());
    }

    /**
     * Queues reminder {@code number} of an incident to each of {@code recipients}, in one transaction that first
     * makes sure the integration is still FAILING in the same incident. Returns false when it no longer is.
     */
    public boolean queueReminder(Incident incident, int number, List<String> recipients, Instant now) {
        return jdbi.inTransaction(h -> {
            var still = h.createQuery("SELECT count(*) FROM integration WHERE id = :i AND state = 'FAILING' AND enabled = 1"
                            + " AND state_since <= :failureAt")
                    .bind("i", incident.integrationId())
                    .bind("failureAt", incident.failureAt().toEpochMilli())
                    .mapTo(Integer.class)
                    .one() > 0;
            if (!still) {
                return false;
            }
            for (var to : recipients) {
                h.createUpdate("INSERT INTO alert_outbox (integration_id, incident_id, kind, outcome, provider, recipient, status,"
                                + " next_attempt_at, created_at, reminder_number) VALUES (:i, :incident, 'reminder', :outcome,"
                                + " :provider, :to, 'PENDING', :now, :now, :n)")
                        .bind("i", incident.integrationId())
                        .bind("incident", incident.incidentId())
                        .bind("outcome", incident.outcome() == null ? null : incident.outcome().name())
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
