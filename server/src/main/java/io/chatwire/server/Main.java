package io.chatwire.server;

import io.chatwire.account.AccountStore;
import io.chatwire.account.Tokens;
import io.chatwire.store.Database;
import io.chatwire.store.StoreUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.flywaydb.core.api.FlywayException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The {@code chatwire} command line. */
@Command(name = "chatwire", mixinStandardHelpOptions = true, version = "chatwire 0.1.0",
        description = "Signed, durable, at-least-once webhook delivery of chat events.",
        subcommands = {Main.Serve.class, Main.NewOperatorToken.class, Main.Listen.class})
public final class Main implements Runnable {
    /** The CHATWIRE_* settings come from here: the process environment, or a test's map. */
    private final Map<String, String> env;

    public Main() {
        this(System.getenv());
    }

    Main(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The settings, as serve reads them; empty after saying what is wrong with them. */
    private Optional<ChatwireConfig> config(Optional<Path> configFile, PrintWriter err) {
        try {
            return Optional.of(ChatwireConfig.load(env, configFile));
        } catch (IllegalArgumentException e) {
            err.println("chatwire: bad setting: " + e.getMessage());
            err.flush();
            return Optional.empty();
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the server (settings from CHATWIRE_* environment variables).")
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = "--config", description = "A file of CHATWIRE_*=value lines; the environment wins over it.")
        Path configFile;

        @Override
        public Integer call() throws InterruptedException {
            Optional<ChatwireConfig> loaded = main.config(Optional.ofNullable(configFile), new PrintWriter(System.err));
            if (loaded.isEmpty()) {
                return 2;
            }
            ChatwireConfig config = loaded.get();
            ChatwireServer server;
            try {
                server = ChatwireServer.start(config);
            } catch (io.chatwire.signing.SecretCipher.WrongKeyException e) {
                // A wrong or missing secret key: say so plainly instead of with a stack trace.
                System.err.println("chatwire: cannot start: " + e.getMessage());
                return 2;
            }
            server.firstOperatorToken().ifPresent(token -> {
                // Printed, never logged: it is shown this once and stored only as a hash.
                System.out.println("Operator token (shown once; keep it secret): " + token);
            });
            System.out.println("Chatwire listening on " + server.baseUrl());
            System.out.flush();
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "chatwire-shutdown"));
            stopped.await();
            return 0;
        }
    }

    /**
     * The way back to an operator token that was not noted at the first start: only its hash is
     * stored, so it cannot be shown again, but a new one can replace it.
     */
    @Command(name = "new-operator-token", mixinStandardHelpOptions = true,
            description = {
                "Issue a new operator token for the configured database (CHATWIRE_DATA_DIR or CHATWIRE_DB_URL, "
                        + "as for serve), print it once and store only its hash.",
                "Every earlier operator token stops working at once, on a running server too."})
    static final class NewOperatorToken implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Spec
        CommandSpec spec;

        @Option(names = "--config", description = "A file of CHATWIRE_*=value lines; the environment wins over it.")
        Path configFile;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                return issue(out, err);
            } finally {
                out.flush();
                err.flush();
            }
        }

        private int issue(PrintWriter out, PrintWriter err) {
            Optional<ChatwireConfig> loaded = main.config(Optional.ofNullable(configFile), err);
            if (loaded.isEmpty()) {
                return 2;
            }
            ChatwireConfig config = loaded.get();
            if (config.adminToken().isPresent()) {
                // The server takes the variable's value as the operator token, so the operator has it
                // already; a second, stored token would only be one more secret to lose.
                err.println("chatwire: CHATWIRE_ADMIN_TOKEN is set (in the environment or the config file), and its"
                        + " value is the operator token the server accepts: use that. No new token was issued."
                        + " To use a stored token instead, remove CHATWIRE_ADMIN_TOKEN, run this command again and"
                        + " restart the server.");
                return 2;
            }
            Optional<Path> file = Database.sqliteFile(config.dbUrl());
            if (file.isPresent() && !Files.exists(file.get())) {
                // Most likely a different CHATWIRE_DATA_DIR (or working directory) than the server's: a
                // token stored in a new, empty database would be refused by the server.
                err.println("chatwire: there is no database at " + file.get().toAbsolutePath()
                        + ". Give this command the server's settings (CHATWIRE_DATA_DIR, default ./data in the"
                        + " directory the server starts in, or CHATWIRE_DB_URL). A server started for the first"
                        + " time prints an operator token by itself.");
                return 2;
            }
            String where = file.map(f -> f.toAbsolutePath().toString())
                    .orElseGet(() -> ChatwireConfig.maskUrl(config.dbUrl())
                            + (config.dbSchema().isBlank() ? "" : " (schema " + config.dbSchema() + ")"));
            String token = Tokens.generate(AccountStore.OPERATOR_TOKEN_PREFIX);
            // No secret key is needed: nothing here reads or writes a signing secret, and opening
            // without one makes no key file.
            try (Database db = Database.open(config.dbUrl(), config.dbSchema())) {
                new AccountStore(db, Clock.systemUTC()).replaceOperatorTokens(token);
            } catch (FlywayException | StoreUnavailableException e) {
                err.println("chatwire: cannot use the database " + where + ": " + e.getMessage());
                if (file.isPresent()) {
                    // The server opens SQLite with an exclusive lock (no mapped WAL index: see
                    // SqliteFiles), so no second process can open the file while it runs.
                    err.println("chatwire: if a Chatwire server is running on this database, it holds the SQLite"
                            + " file exclusively: stop the server, run this command again, then start the server.");
                }
                return 1;
            }
            // Printed, never logged, as at the first start.
            out.println("Operator token (shown once; keep it secret): " + token);
            out.println("It replaces every earlier operator token of the database " + where + "; those no longer"
                    + " work. " + (file.isPresent()
                            ? "Start the server on this data directory and use the new token."
                            : "A server running on this database accepts the new token at once (it checks the"
                                    + " token against the database on every request): no restart is needed."));
            return 0;
        }
    }

    /**
     * Relays a chatbot's real deliveries to a receiver on this machine, over one outbound WebSocket:
     * the receiver needs no public address, and the server never dials anything for it.
     */
    @Command(name = "listen", mixinStandardHelpOptions = true,
            description = {
                "Forward a chatbot's webhook deliveries to a local URL, signed as in production.",
                "Registers a temporary relay endpoint (not counted in the chatbot's 3) for as long as this runs;"
                        + " Ctrl-C removes it. Each delivery's answer is logged as the attempt."})
    static final class Listen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--server", description = "The Chatwire server (default ${DEFAULT-VALUE}).",
                defaultValue = "http://127.0.0.1:8080")
        java.net.URI server;

        @Option(names = "--api-key", description = "The account's API key (or CHATWIRE_API_KEY).")
        String apiKey;

        @Option(names = "--chatbot", description = "The chatbot whose deliveries to relay.")
        String chatbot;

        @Option(names = "--forward-to", description = "The local URL to post each delivery to.")
        java.net.URI forwardTo;

        @Option(names = "--events", description = "Event types, comma-separated (default: all).")
        String events;

        @Option(names = "--secret-of", paramLabel = "ENDPOINT_ID",
                description = "Sign with this endpoint's secret (its own if it has one) instead of the account's.")
        String secretOf;

        @Option(names = "--print-secret",
                description = "Print the signing secret the relayed deliveries carry, for the local receiver, and exit.")
        boolean printSecret;

        @Option(names = "--local-timeout", description = "How long the local receiver may take (default ${DEFAULT-VALUE}).",
                defaultValue = "15s")
        String localTimeout;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String key = apiKey != null ? apiKey : System.getenv("CHATWIRE_API_KEY");
            if (key == null || key.isBlank()) {
                err.println("chatwire listen: give the account's API key with --api-key or CHATWIRE_API_KEY");
                err.flush();
                return 2;
            }
            if (printSecret) {
                try {
                    out.println(io.chatwire.relay.ListenClient.signingSecret(server, key, Optional.ofNullable(secretOf)));
                    out.flush();
                    return 0;
                } catch (Exception e) {
                    err.println("chatwire listen: cannot read the signing secret: " + e.getMessage());
                    err.flush();
                    return 1;
                }
            }
            if (chatbot == null || forwardTo == null) {
                err.println("chatwire listen: --chatbot and --forward-to are required");
                err.flush();
                return 2;
            }
            var client = new io.chatwire.relay.ListenClient(new io.chatwire.relay.ListenClient.Options(server, key,
                    chatbot, forwardTo, Optional.ofNullable(events), Optional.ofNullable(secretOf),
                    io.chatwire.delivery.RetryPolicy.parseDuration(localTimeout)), out, err);
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                client.stop(java.time.Duration.ofSeconds(3));
                try {
                    done.await(3, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "chatwire-listen-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                var ending = client.run();
                if (ending instanceof io.chatwire.relay.ListenClient.Ending.Refused r) {
                    err.println("chatwire listen: " + r.message());
                    err.flush();
                    return 2;
                }
                out.println("Stopped; the relay endpoint was removed.");
                out.flush();
                return 0;
            } finally {
                done.countDown();
            }
        }
    }
}
