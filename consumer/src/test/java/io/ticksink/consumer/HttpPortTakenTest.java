package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.TickStore;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A second consumer on a host, started with the first one's --http-port, is told to give each its own. */
class HttpPortTakenTest {

    @TempDir
    Path dataDir;

    @Test
    void theServerNamesThePortAndTheOptionWhenThePortIsTaken() throws Exception {
        try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             TickStore store = new TickStore(dataDir, StoreOptions.defaults())) {
            int port = first.getLocalPort();

            assertThatThrownBy(() -> new HealthServer("127.0.0.1", port, new ConsumerMetrics(store)).close())
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("port " + port + " on 127.0.0.1 is already in use")
                    .hasMessageContaining("each consumer on one host needs its own --http-port");
        }
    }

    @Test
    void anAddressThatIsNotThisHostsIsNotTakenForABusyPort() throws Exception {
        try (TickStore store = new TickStore(dataDir, StoreOptions.defaults())) {
            // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine
            assertThatThrownBy(() -> new HealthServer("192.0.2.1", 0, new ConsumerMetrics(store)).close())
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("cannot listen on 192.0.2.1:0")
                    .hasMessageContaining("check --http-address")
                    .hasMessageNotContaining("already in use");
        }
    }

    @Test
    void theConsumerRefusesToStartWithThatMessage() throws Exception {
        try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = first.getLocalPort();
            ConsumerConfig config = new ConsumerConfig();
            new CommandLine(config).parseArgs("--bootstrap-servers", "127.0.0.1:1", "--topic", "ticks", "--group-id", "g",
                    "--data-dir", dataDir.toString(), "--http-address", "127.0.0.1", "--http-port", Integer.toString(port));
            config.validate();

            assertThatThrownBy(() -> ConsumerApp.create(config, "127.0.0.1:1").close())
                    .isInstanceOf(ConsumerApp.StartException.class)
                    .hasMessageContaining(Integer.toString(port))
                    .hasMessageContaining("each consumer on one host needs its own --http-port (TICKSINK_HTTP_PORT)")
                    .hasMessageStartingWith("port " + port + " on 127.0.0.1 is already in use"); // the port named once
        }
    }
}
