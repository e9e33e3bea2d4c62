package com.dts.apm.schedule;

import com.dts.apm.process.DatabaseOutage;
import com.dts.apm.process.ErrorLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
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
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quartz side of the daemon: runs each recurring task on its period in an in-memory job store (the
 * database, not Quartz, knows when each integration is due); with several nodes on PostgreSQL the shared tasks go
 * to Quartz's clustered JDBC job store instead ({@link Cluster}). Each task body has one catch-all that logs and
 * lets the schedule live.
 */
public final class RecurringTasks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecurringTasks.class);

    /** The scheduler name every node of one cluster shares (Quartz's SCHED_NAME). */
    public static final String CLUSTER_NAME = "app-password-monitor";

    private final Scheduler scheduler;
    /** The clustered scheduler of the jobs one node at a time runs; null without a cluster. */
    private final Scheduler clustered;

    private final List<RecurringTask> tasks;

    public RecurringTasks(List<RecurringTask> tasks) {
        this(tasks, loop -> {});
    }

    /** {@code errorCount} is told a task's name each time its body throws. */
    public RecurringTasks(List<RecurringTask> tasks, Consumer<String> errorCount) {
        this(tasks, errorCount, null);
    }

    /**
     * Several nodes on one PostgreSQL database: the tasks not named in {@code perNode} go to Quartz's clustered JDBC
     * job store ({@code JobStoreTX} with the PostgreSQL delegate, tables {@code QRTZ_*}), which fires each on one
     * node at a time and moves them to another node when this one stops checking in. {@code nodeId} is this node's
     * Quartz instance id.
     */
    public record Cluster(String nodeId, DataSource dataSource, Set<String> perNode, Duration checkinInterval) {}

    /** As above; {@code cluster} null runs every task in memory on this node alone. */
    public RecurringTasks(List<RecurringTask> tasks, Consumer<String> errorCount, Cluster cluster) {
        this(tasks, errorCount, cluster, DatabaseOutage.NONE);
    }

    /**
     * As above; a task that fails because the database is out of reach leaves the logging to the node's
     * {@code outage} (one line for every task), and is still counted.
     */
    public RecurringTasks(
            List<RecurringTask> tasks, Consumer<String> errorCount, Cluster cluster, DatabaseOutage outage) {
        this.tasks = List.copyOf(tasks);
        var local = cluster == null
                ? this.tasks
                : this.tasks.stream()
                        .filter(t -> cluster.perNode().contains(t.name()))
                        .toList();
        var shared = cluster == null
                ? List.<RecurringTask>of()
                : this.tasks.stream()
                        .filter(t -> !cluster.perNode().contains(t.name()))
                        .toList();
        var props = new Properties();
        // a name per node in this JVM for the in-memory one (Quartz keeps schedulers by name, per JVM)
        props.setProperty(
                "org.quartz.scheduler.instanceName",
                cluster == null ? CLUSTER_NAME : CLUSTER_NAME + "-local-" + cluster.nodeId());
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.max(2, local.size())));
        props.setProperty("org.quartz.threadPool.threadNamePrefix", "job");
        props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        try {
            Map<String, Runnable> bodies = this.tasks.stream()
                    .collect(Collectors.toMap(
                            RecurringTask::name, t -> guarded(t.name(), t.body(), errorCount, outage)));
            scheduler = new StdSchedulerFactory(props).getScheduler();
            scheduler.setJobFactory(new TaskJobFactory(bodies::get));
            schedule(scheduler, local);
            if (cluster != null) {
                clustered = clusteredScheduler(cluster, shared.size());
                clustered.setJobFactory(new TaskJobFactory(bodies::get));
                schedule(clustered, shared);
            } else {
                clustered = null;
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot set up the Quartz scheduler: " + e.getMessage(), e);
        }
    }

    private static Scheduler clusteredScheduler(Cluster cluster, int jobs) throws SchedulerException {
        // Quartz finds its connections by data source name, per JVM: one name per node
        var source = "apm-" + cluster.nodeId();
        DBConnectionManager.getInstance().addConnectionProvider(source, new PooledConnections(cluster.dataSource()));
        var props = new Properties();
        props.setProperty("org.quartz.scheduler.instanceName", CLUSTER_NAME);
        props.setProperty("org.quartz.scheduler.instanceId", cluster.nodeId());
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        props.setProperty("org.quartz.threadPool.threadCount", String.valueOf(Math.max(2, jobs)));
        props.setProperty("org.quartz.threadPool.threadNamePrefix", "cluster-job");
        props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        props.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        props.setProperty("org.quartz.jobStore.dataSource", source);
        props.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        props.setProperty("org.quartz.jobStore.isClustered", "true");
        props.setProperty(
                "org.quartz.jobStore.clusterCheckinInterval",
                String.valueOf(cluster.checkinInterval().toMillis()));
        props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        props.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return new StdSchedulerFactory(props).getScheduler();
    }

    private static void schedule(Scheduler scheduler, List<RecurringTask> tasks) throws SchedulerException {
        for (var t : tasks) {
            var job = JobBuilder.newJob(TaskJob.class).withIdentity(t.name()).build();
            var trigger = TriggerBuilder.newTrigger()
                    .withIdentity(t.name())
                    .startAt(new java.util.Date(
                            System.currentTimeMillis() + t.firstDelay().toMillis()))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                            .withIntervalInMilliseconds(t.every().toMillis())
                            .repeatForever()
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .build();
            // every node schedules the same jobs at its start: in the clustered store they are stored once (replaced)
            scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
        }
    }

    public void start() {
        try {
            scheduler.start();
            if (clustered != null) {
                clustered.start();
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler: " + e.getMessage(), e);
        }
    }

    /** True while the schedulers run their jobs (health). */
    public boolean running() {
        return running(scheduler) && (clustered == null || running(clustered));
    }

    private static boolean running(Scheduler s) {
        try {
            return s.isStarted() && !s.isInStandbyMode() && !s.isShutdown();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** Stops firing jobs and waits for running job bodies to return. */
    @Override
    public void close() {
        if (clustered != null) {
            close(clustered);
        }
        close(scheduler);
    }

    private static void close(Scheduler s) {
        try {
            s.standby();
            s.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("Quartz did not shut down cleanly: {}", e.getMessage());
        }
    }

    /** Quartz's view of the daemon's connection pool. */
    private record PooledConnections(DataSource source) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return source.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool is the database's: it closes it
        }

        @Override
        public void initialize() {}
    }

    /**
     * A task body that returns is no sign the database answers (the metrics snapshot keeps its gauges through a
     * failed read): the outage's end is told by the dispatcher's claims and the check writes, which do reach it.
     */
    private static Runnable guarded(String name, Runnable body, Consumer<String> errorCount, DatabaseOutage outage) {
        var errors = new ErrorLog(log, errorCount, outage);
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
