package io.ticksink.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ticksink.schema.StoreOptions;
import io.ticksink.schema.TickStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthServerTest {

    /** The liveness probe's own timeout in deploy/k8s/statefulset.yaml, below the server's request time. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** Longest the server may take to close a stalled connection: its timeout plus the JDK's timer ticks. */
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(HealthServer.MAX_REQUEST_SECONDS + 20);

    @TempDir
    Path dir;

    private TickStore store;
    private HealthServer server;
    private final List<Socket> sockets = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

    @BeforeEach
    void start() throws IOException {
        store = new TickStore(dir, StoreOptions.defaults());
        server = new HealthServer("127.0.0.1", 0, new ConsumerMetrics(store));
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        server.close();
        store.close();
    }

    /** A client that starts a request and never finishes it. */
    private Socket stalledRequest() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        sockets.add(socket);
        socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private int live() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                .timeout(PROBE_TIMEOUT).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** True once the server has closed the connection: the read sees the end of the stream (or a reset). */
    private static boolean closedByServer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Test
    void theLivenessProbeAnswersWhileStalledClientsHoldConnectionsOpen() throws Exception {
        for (int i = 0; i < HealthServer.THREADS - 1; i++) {
            stalledRequest();
        }
        Socket silent = new Socket("127.0.0.1", server.port());
        sockets.add(silent);
        // the fault is in place: a stalled request holds a server thread
        await().atMost(PROBE_TIMEOUT).until(() -> server.busyThreads() >= 1);

        assertThat(live()).isEqualTo(200);
        assertThat(server.busyThreads()).as("each stalled request still holds a thread").isEqualTo(HealthServer.THREADS - 1);
    }

    @Test
    void theServerClosesARequestThatNeverCompletesAfterItsTimeout() throws Exception {
        Socket stalled = stalledRequest();
        await().atMost(PROBE_TIMEOUT).until(() -> server.busyThreads() == 1);

        assertThat(closedByServer(stalled, CLOSE_DEADLINE)).as("closed by the server").isTrue();
        await().atMost(PROBE_TIMEOUT).until(() -> server.busyThreads() == 0);
        assertThat(live()).isEqualTo(200);
    }

    @Test
    void aRequestBeyondTheThreadsAndTheQueueIsClosedAtOnce() throws Exception {
        for (int i = 0; i < HealthServer.THREADS + HealthServer.QUEUED; i++) {
            stalledRequest();
        }
        await().atMost(PROBE_TIMEOUT).until(() -> server.busyThreads() == HealthServer.THREADS
                && server.waitingRequests() == HealthServer.QUEUED);

        Socket oneTooMany = stalledRequest();

        // closed long before the request timeout would have closed it
        assertThat(closedByServer(oneTooMany, PROBE_TIMEOUT)).as("closed by the server").isTrue();
        assertThat(server.waitingRequests()).isEqualTo(HealthServer.QUEUED);
    }

    @Test
    void theServerClosesAConnectionThatSendsNothing() throws Exception {
        Socket silent = new Socket("127.0.0.1", server.port());
        sockets.add(silent);

        assertThat(closedByServer(silent, CLOSE_DEADLINE)).as("closed by the server").isTrue();
    }
}
