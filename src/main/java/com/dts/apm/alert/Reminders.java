package com.dts.apm.alert;

import com.dts.apm.config.Config;
import com.dts.apm.provider.Outcome;
import com.dts.apm.store.Incidents;
import com.dts.apm.store.OutboxStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues reminders while an integration stays FAILING. {@code alerts.reminders} are offsets from the
 * moment the failure email went out (default 1d, 3d, 7d); after the list the last offset repeats (14d, 21d,
 * ...), up to {@code alerts.max-reminders}. No reminder follows a failure email that was not sent. From the third reminder on, the dealer's admin contact gets a copy (the
 * escalation). After a long stop only the latest due reminder is queued, never a burst.
 */
public final class Reminders {
    private static final Logger log = LoggerFactory.getLogger(Reminders.class);
    /** The first reminder number that also goes to the dealer's admin contact. */
    static final int ESCALATE_FROM = 3;

    private final Incidents incidents;
    private final Config.Alerts config;
    private final Clock clock;

    public Reminders(Incidents incidents, Config.Alerts config, Clock clock) {
        this.incidents = incidents;
        this.config = config;
        this.clock = clock;
    }

    /** Queues every reminder due now; returns how many incidents got one. */
    public int queueDue() {
        var now = clock.instant();
        int queued = 0;
        for (var incident : incidents.listOpen()) {
            if (incident.failureStatus() != OutboxStatus.SENT || incident.failureAt() == null) {
                // not sent yet (no relay, held by the storm guard, retrying), dropped by an operator or given up:
                // a reminder of an email the dealer never got makes no sense
                continue;
            }
            int number = dueNumber(incident.failureAt(), now);
            if (number <= incident.lastReminder()) {
                continue;
            }
            var to = new ArrayList<String>(List.of(incident.contactEmail()));
            var admin = incident.adminEmail();
            if (admin != null && !admin.equalsIgnoreCase(incident.contactEmail())) {
                if (incident.contactBouncing()) {
                    to = new ArrayList<>(List.of(admin)); // the sender would move it there anyway: one copy, not two
                } else if (number >= ESCALATE_FROM) {
                    to.add(admin);
                }
            }
            if (incidents.queueReminder(incident.withOutcome(outcome(incident)), number, to, now)) {
                queued++;
                log.info(
                        "integration {} ({}) still failing: reminder {} queued{}",
                        incident.integrationId(),
                        incident.provider(),
                        number,
                        to.size() > 1 ? " (with a copy to the dealer's admin contact)" : "");
            }
        }
        return queued;
    }

    /** What the reminder is about: the latest check's outcome when the dealer can fix it, else the failure email's. */
    Outcome outcome(Incidents.Incident incident) {
        var last = incident.lastOutcome();
        return last != null && last.dealerCanFix(config.basicAuthDisabledToDealer()) ? last : incident.outcome();
    }

    /** The highest reminder number due at {@code now} for a failure alert queued at {@code failureAt}; 0 for none. */
    int dueNumber(Instant failureAt, Instant now) {
        int due = 0;
        for (int n = 1; n <= config.maxReminders(); n++) {
            if (failureAt.plus(offset(n)).isAfter(now)) {
                break;
            }
            due = n;
        }
        return due;
    }

    /** How long after the failure email reminder {@code n} (1-based) is due. */
    Duration offset(int n) {
        var list = config.reminders();
        if (list.isEmpty()) {
            return Duration.ofDays(36500); // no schedule: never
        }
        if (n <= list.size()) {
            return list.get(n - 1);
        }
        var last = list.get(list.size() - 1);
        return last.plus(last.multipliedBy(n - list.size()));
    }
}
