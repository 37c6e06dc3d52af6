package io.chatwire.server;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code chatwire} command line. */
@Command(name = "chatwire", mixinStandardHelpOptions = true, version = "chatwire 0.1.0",
        description = "Signed, durable, at-least-once webhook delivery of chat events.",
        subcommands = {Main.Serve.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the server (settings from CHATWIRE_* environment variables).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", description = "A file of CHATWIRE_*=value lines; the environment wins over it.")
        Path configFile;

        @Override
        public Integer call() throws InterruptedException {
            ChatwireConfig config;
            try {
                config = ChatwireConfig.load(System.getenv(), Optional.ofNullable(configFile));
            } catch (IllegalArgumentException e) {
                System.err.println("chatwire: bad setting: " + e.getMessage());
                return 2;
            }
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
}
