package com.dts.apm.schedule;

import com.dts.apm.config.Config;
import com.dts.apm.store.Incidents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues reminders while an integration stays FAILING. {@code alerts.reminders} are offsets from the
 * failure email (default 1d, 3d, 7d); after the list the last offset repeats (14d, 21d, ...), up to
 * {@code alerts.max-reminders}. From the third reminder on, the dealer's admin contact gets a copy (the
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
            if ("DROPPED".equals(incident.failureStatus())) {
                continue; // an operator decided the dealer hears nothing about this incident
            }
            int number = dueNumber(incident.failureAt(), now);
            if (number <= incident.lastReminder()) {
                continue;
            }
            var to = new ArrayList<String>(List.of(incident.contactEmail()));
            if (number >= ESCALATE_FROM && incident.adminEmail() != null
                    && !incident.adminEmail().equalsIgnoreCase(incident.contactEmail())) {
                to.add(incident.adminEmail());
            }
            if (incidents.queueReminder(incident, number, to, now)) {
                queued++;
                log.info("integration {} ({}) still failing: reminder {} queued{}", incident.integrationId(), incident.provider(),
                        number, to.size() > 1 ? " (with a copy to the dealer's admin contact)" : "");
            }
        }
        return queued;
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
