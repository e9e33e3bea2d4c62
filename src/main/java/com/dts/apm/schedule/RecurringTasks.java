package com.dts.apm.schedule;

import com.dts.apm.process.ErrorLog;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz side of the daemon: runs each recurring task on its period in an in-memory job store (the
 * database, not Quartz, knows when each integration is due). Each task body has one catch-all that
 * logs and lets the schedule live.
 */
public final class RecurringTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecurringTasks.class);

    private final Scheduler scheduler;
    private final List<RecurringTask> tasks;

    public RecurringTasks(List<RecurringTask> tasks) {
        this(tasks, loop -> {});
    }

    /** {@code errorCount} is told a task's name each time its body throws. */
    public RecurringTasks(List<RecurringTask> tasks, Consumer<String> errorCount) {
        this.tasks = List.copyOf(tasks);
        var props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", "app-password-monitor");
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.max(2, tasks.size())));
        props.setProperty("org.quartz.threadPool.threadNamePrefix", "job");
        props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        try {
            scheduler = new StdSchedulerFactory(props).getScheduler();
            Map<String, Runnable> bodies = this.tasks.stream()
                    .collect(Collectors.toMap(RecurringTask::name, t -> guarded(t.name(), t.body(), errorCount)));
            scheduler.setJobFactory(new TaskJobFactory(bodies::get));
            for (var t : this.tasks) {
                var job = JobBuilder.newJob(TaskJob.class).withIdentity(t.name()).build();
                var trigger = TriggerBuilder.newTrigger()
                        .withIdentity(t.name())
                        .startAt(new java.util.Date(System.currentTimeMillis() + t.firstDelay().toMillis()))
                        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                                .withIntervalInMilliseconds(t.every().toMillis())
                                .repeatForever()
                                .withMisfireHandlingInstructionNextWithRemainingCount())
                        .build();
                scheduler.scheduleJob(job, trigger);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot set up the Quartz scheduler", e);
        }
    }

    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler", e);
        }
    }

    /** True while the scheduler runs its jobs (health). */
    public boolean running() {
        try {
            return scheduler.isStarted() && !scheduler.isInStandbyMode() && !scheduler.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** Stops firing jobs and waits for running job bodies to return. */
    @Override
    public void close() {
        try {
            scheduler.standby();
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("Quartz did not shut down cleanly: {}", e.getMessage());
        }
    }

    private static Runnable guarded(String name, Runnable body, Consumer<String> errorCount) {
        var errors = new ErrorLog(log, errorCount);
        return () -> {
            try {
                body.run();
                errors.recovered(name);
            } catch (RuntimeException e) {
                errors.failed(name, e);
            }
        };
    }

    /** The one Quartz job class: runs the body registered under the job's name. */
    @DisallowConcurrentExecution
    static final class TaskJob implements Job {
        private final Runnable body;

        TaskJob(Runnable body) {
            this.body = body;
        }

        @Override
        public void execute(JobExecutionContext context) {
            body.run();
        }
    }

    private record TaskJobFactory(Function<String, Runnable> bodies) implements JobFactory {
        @Override
        public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) {
            return new TaskJob(bodies.apply(bundle.getJobDetail().getKey().getName()));
        }
    }
}
