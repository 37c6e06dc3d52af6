package io.chatwire.examples.history;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the receiver is told by its environment.
 *
 * @param signingSecret the endpoint's account signing secret ({@code whsec_...}) from Chatwire
 * @param host the address to listen on: loopback by default, because the browse pages show private
 *     chats and have no login of their own (see the README)
 * @param port the port, {@code 0} for any free one
 * @param database the SQLite file
 */
public record Settings(String signingSecret, String host, int port, Path database) {
    public static Settings fromEnv(Map<String, String> env) {
        String secret = env.getOrDefault("SIGNING_SECRET", "").strip();
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("SIGNING_SECRET is required: the whsec_... signing secret of your Chatwire account");
        }
        String portText = env.getOrDefault("PORT", "8090").strip();
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT must be a number from 0 to 65535 (got '" + portText + "')");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("PORT must be a number from 0 to 65535 (got " + port + ")");
        }
        return new Settings(secret, env.getOrDefault("HOST", "127.0.0.1").strip(), port,
                Path.of(env.getOrDefault("DB_PATH", "chat-history.db")));
    }
}
