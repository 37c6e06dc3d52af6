package io.chatwire.examples.history;

import com.sun.net.httpserver.HttpServer;
import io.chatwire.examples.history.browse.BrowseApi;
import io.chatwire.examples.history.browse.BrowsePages;
import io.chatwire.examples.history.receive.WebhookHandler;
import io.chatwire.examples.history.store.HistoryStore;
import io.chatwire.verify.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The receiver and the browse routes on one JDK HTTP server, over one SQLite store. */
public final class ChatHistoryApp implements AutoCloseable {
    public static final String WEBHOOK_PATH = "/webhooks/chatwire";

    private final HttpServer server;
    private final ExecutorService executor;
    private final HistoryStore store;

    private ChatHistoryApp(HttpServer server, ExecutorService executor, HistoryStore store) {
        this.server = server;
        this.executor = executor;
        this.store = store;
    }

    public static ChatHistoryApp start(Settings settings) {
        HistoryStore store = HistoryStore.open(settings.database(), Clock.systemUTC());
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
            // A virtual thread per exchange: the handlers block on SQLite and on slow clients.
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            server.createContext(WEBHOOK_PATH, new WebhookHandler(WebhookVerifier.forSecret(settings.signingSecret()), store));
            server.createContext("/api/", new BrowseApi(store));
            server.createContext("/", new BrowsePages(store));
            server.start();
            return new ChatHistoryApp(server, executor, store);
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        String host = server.getAddress().getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.close();
        store.close();
    }
}
