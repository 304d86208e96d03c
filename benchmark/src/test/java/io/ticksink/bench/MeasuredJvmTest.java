package io.ticksink.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.ticksink.testing.ChildJvm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM serving a fixed /metrics page, measured as the benchmark measures the consumer. */
class MeasuredJvmTest {

    @TempDir
    Path dir;

    @Test
    void itFindsTheHttpPortInTheChildsLogAndSumsTheSamplesOfAMetric() throws Exception {
        try (MeasuredJvm child = new MeasuredJvm(ChildJvm.mainClass(MetricsServer.class.getName()).workDir(dir).start())) {
            child.awaitHttpPort(Duration.ofSeconds(60));

            assertThat(child.metric("ticksink_ticks_stored_total", null)).isEqualTo(30.0);
            assertThat(child.metric("jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(1024.0);
            assertThat(child.metric("absent_metric", null)).isNaN();
            assertThat(child.histogram("ticksink_batch_write_seconds")).containsEntry(0.5, 4.0)
                    .containsEntry(Double.POSITIVE_INFINITY, 5.0);
            assertThat(child.cpuSeconds()).isPositive();
            assertThat(child.peakRssMib()).isPositive();

            child.terminate(Duration.ofSeconds(30));
            assertThat(child.isAlive()).isFalse();
        }
    }

    @Test
    void aChildThatExitsBeforePrintingItsPortFailsTheWaitWithItsLog() throws Exception {
        try (MeasuredJvm child = new MeasuredJvm(ChildJvm.mainClass(ExitsAtOnce.class.getName()).workDir(dir).start())) {
            assertThatThrownBy(() -> child.awaitHttpPort(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no port today");
        }
    }

    /** Serves a fixed /metrics page on a free port and prints the line the consumer prints. */
    public static final class MetricsServer {
        public static void main(String[] args) throws Exception {
            String page = """
                    ticksink_ticks_stored_total{partition="0"} 10.0
                    ticksink_ticks_stored_total{partition="1"} 20.0
                    jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1024.0
                    jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 2048.0
                    ticksink_batch_write_seconds_bucket{le="0.5"} 4.0
                    ticksink_batch_write_seconds_bucket{le="+Inf"} 5.0
                    """;
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/metrics", exchange -> {
                byte[] body = page.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            System.out.println("metrics and health on http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
        }
    }

    public static final class ExitsAtOnce {
        public static void main(String[] args) {
            System.out.println("no port today");
        }
    }
}
