package io.chatwire.examples.history;

/** Starts the receiver with the settings of the environment and runs until stopped. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("chat-history: " + e.getMessage());
            System.exit(2);
            return;
        }
        ChatHistoryApp app = ChatHistoryApp.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        System.out.println("chat-history listening on " + app.baseUrl() + " (webhooks: POST " + app.baseUrl()
                + ChatHistoryApp.WEBHOOK_PATH + ", browse: " + app.baseUrl() + "/, database: " + settings.database() + ")");
    }
}
