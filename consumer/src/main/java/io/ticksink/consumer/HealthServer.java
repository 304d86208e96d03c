package io.ticksink.consumer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves {@code /metrics} (Prometheus text format), {@code /health/live} (200 while the process
 * runs) and {@code /health/ready} (200 while the consumer is in its group and writes succeed,
 * 503 with the reason otherwise). Thread safe.
 *
 * <p>A stalled client cannot take the probes down. The JDK server reads a request on the thread
 * that handles it, so {@value #THREADS} threads serve requests (up to {@value #QUEUED} more wait;
 * beyond that a new connection is closed at once), and the JDK's own timeouts close a connection
 * whose request is not complete after {@value #MAX_REQUEST_SECONDS} s
 * ({@code sun.net.httpserver.maxReqTime}), whose response is not taken within
 * {@value #MAX_RESPONSE_SECONDS} s ({@code maxRspTime}), or that sends nothing at all within the
 * request time (that check runs every 10 s). The JDK reads those properties once per JVM, when its
 * first server is created: this class sets them before that unless they were given with
 * {@code -D} (the consumer creates no other JDK HTTP server). Java 17's server honours them, as
 * {@code HealthServerTest} shows, so no HTTP library is needed for three small endpoints.
 */
public final class HealthServer implements AutoCloseable {

    static final int THREADS = 4;
    static final int QUEUED = 16;
    static final int MAX_REQUEST_SECONDS = 5;
    static final int MAX_RESPONSE_SECONDS = 10;

    static {
        setIfAbsent("sun.net.httpserver.maxReqTime", MAX_REQUEST_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", MAX_RESPONSE_SECONDS);
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    /**
     * Binds {@code address:port} and starts serving.
     *
     * @throws BindException when the port is taken (often by another consumer on the same host);
     *         its message names the port and the option that chooses another
     */
    public HealthServer(String address, int port, ConsumerMetrics metrics) throws IOException {
        server = bind(address, port);
        AtomicInteger threads = new AtomicInteger();
        // a request the pool refuses makes the JDK server close that connection
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED), r -> {
            Thread t = new Thread(r, "ticksink-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health/live", ex -> respond(ex, 200, "text/plain", "live\n"));
        server.createContext("/health/ready", ex -> {
            String reason = metrics.notReadyReason();
            if (reason == null) {
                respond(ex, 200, "text/plain", "ready\n");
            } else {
                respond(ex, 503, "text/plain", "not ready: " + reason + "\n");
            }
        });
        server.start();
    }

    private static HttpServer bind(String address, int port) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (BindException e) {
            // "Address already in use" (Linux, macOS), "Address already in use: bind" (Windows)
            boolean taken = String.valueOf(e.getMessage()).contains("in use");
            BindException clear = new BindException(taken
                    ? "port " + port + " on " + address + " is already in use, perhaps by another consumer on this host:"
                            + " each consumer on one host needs its own --http-port (TICKSINK_HTTP_PORT)"
                    : "cannot listen on " + address + ":" + port + " (" + e.getMessage() + "): check --http-address and --http-port");
            clear.initCause(e);
            throw clear;
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests being read or answered right now (for tests). */
    int busyThreads() {
        return executor.getActiveCount();
    }

    /** Requests waiting for a thread (for tests). */
    int waitingRequests() {
        return executor.getQueue().size();
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void setIfAbsent(String property, int seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(seconds));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
