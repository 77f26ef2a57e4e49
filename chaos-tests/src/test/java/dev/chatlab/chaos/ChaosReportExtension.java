package dev.chatlab.chaos;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each chaos test a {@link ChaosScenario}, with one Toxiproxy, one shared swarm and one {@link ChaosReport}
 * for the whole run, and rewrites {@code target/chaos-report.md} and {@code .html} after every test, passed or not.
 */
public final class ChaosReportExtension implements ParameterResolver, AfterTestExecutionCallback, AfterAllCallback {
    private static final Logger log = LoggerFactory.getLogger(ChaosReportExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ChaosReportExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChaosScenario.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return new ChaosScenario(report(context), swarms(context), context.getRequiredTestMethod().getName());
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        write(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Path html = write(context);
        log.info("chaos report: {} (and {})", html, html.resolveSibling(ChaosReport.MARKDOWN));
    }

    private static Path write(ExtensionContext context) {
        return report(context).write(Path.of(System.getProperty("basedir", "."), "target").toAbsolutePath());
    }

    private static SharedSwarm swarms(ExtensionContext context) {
        // In the root store: one Toxiproxy and one shared swarm for the whole run, closed by JUnit when it ends.
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("swarms",
                key -> new SharedSwarm(ToxiproxyEndpoint.start()), SharedSwarm.class);
    }

    private static ChaosReport report(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("report", key -> {
            ChaosReport report = new ChaosReport("Chat lab · chaos report");
            report.note("Toxiproxy: " + swarms(context).toxiproxy());
            int step = ChaosSwarm.step();
            report.note("swarm: Redis (append-only), 3 step " + step + " nodes (" + ChaosSwarm.nodeModule(step)
                    + ", separate JVMs; -D" + ChaosSwarm.STEP_PROPERTY + " picks the step), HAProxy (leastconn); clients → Toxiproxy"
                    + " → HAProxy → nodes, each node → its own two Toxiproxy proxies (commands, subscription) → Redis;"
                    + " a scenario reuses the last swarm only when it is proven clean, else starts a fresh one");
            report.note("workload: " + ChaosScenario.Setup.standard().describe());
            if (ChaosSwarm.hasPresence(step)) {
                report.note("presence, judged where a row shows it: nodes with --presence-ttl "
                        + ChaosReport.seconds(PresenceWatch.TTL.toMillis()) + " and --leave-delay "
                        + ChaosReport.seconds(PresenceWatch.LEAVE_DELAY.toMillis()) + "; watched through every client's"
                        + " list of its room's members and GET /rooms/R/presence on every node every "
                        + PresenceWatch.POLL_EVERY.toMillis() + " ms; ghosts: one plain member per room joined on the node"
                        + " a fault hits, never coming back; goals: ghost time <= ttl + 1 s ("
                        + ChaosReport.seconds(PresenceWatch.rules().ghostGoalMillis()) + "), false leaves 0 (a leave of a"
                        + " name connected, or back within the leave delay), missing members 0 (and nobody gone still"
                        + " listed) once presence settled after the heal");
            }
            String extra = System.getProperty(ChaosSwarm.NODE_ARGS_PROPERTY, "");
            if (!extra.isBlank()) {
                report.note("extra node options for every node (" + ChaosSwarm.NODE_ARGS_PROPERTY + "): "
                        + String.join(" ", ChaosSwarm.extraNodeArgs(extra)));
            }
            return report;
        }, ChaosReport.class);
    }
}
