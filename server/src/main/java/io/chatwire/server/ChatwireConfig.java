package io.chatwire.server;

import io.chatwire.delivery.RetryPolicy;
import io.chatwire.network.Cidr;
import io.chatwire.portal.FrameAncestors;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

/**
 * Everything Chatwire can be told at start, read once from the environment and an optional file
 * ({@code KEY=value} lines, the same keys as the environment; the environment wins), validated here
 * so that a bad setting stops the start with a message instead of surfacing later.
 */
public record ChatwireConfig(
        String host,
        int port,
        Path dataDir,
        String dbUrl,
        String dbSchema,
        Optional<String> adminToken,
        List<Duration> retrySchedule,
        Duration connectTimeout,
        Duration requestTimeout,
        long maxEventBytes,
        long maxSettingsBytes,
        long maxResponseBytes,
        Duration leaseDuration,
        Duration pollInterval,
        int maxInFlight,
        Duration shutdownGrace,
        String nodeId,
        Duration secretGracePeriod,
        Duration autoDisableAfter,
        List<Cidr> allowedTargets,
        boolean requireHttps,
        Duration retention,
        Duration purgeInterval,
        Optional<String> secretKey,
        int ingestRate,
        int ingestBurst,
        int endpointConcurrency,
        int authFailureLimit,
        boolean strictEvents,
        List<Cidr> trustedProxies,
        int onDemandRate,
        int onDemandBurst,
        Duration headerTimeout,
        int maxConnections,
        Duration relayTimeout,
        Path secretKeyFile,
        int endpointRetriesMax,
        Duration endpointRetryDelayMax,
        Duration endpointTimeoutMax,
        int endpointRateLimitMax,
        int liveStreamsPerAccount,
        Duration liveHeartbeat,
        FrameAncestors portalFrameAncestors,
        Optional<URI> publicUrl) {

    public ChatwireConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("CHATWIRE_PORT must be 0-65535 (got " + port + ")");
        }
        retrySchedule = List.copyOf(retrySchedule);
        if (retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("CHATWIRE_RETRY_SCHEDULE needs at least one entry");
        }
        if (leaseDuration.compareTo(requestTimeout) <= 0) {
            throw new IllegalArgumentException("CHATWIRE_LEASE (" + leaseDuration
                    + ") must be longer than CHATWIRE_REQUEST_TIMEOUT (" + requestTimeout
                    + "), or a slow attempt would lose its lease mid-flight");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("CHATWIRE_MAX_IN_FLIGHT must be at least 1");
        }
        adminToken.ifPresent(t -> {
            if (t.length() < 16) {
                throw new IllegalArgumentException("CHATWIRE_ADMIN_TOKEN must be at least 16 characters");
            }
        });
        secretKey.ifPresent(k -> {
            try {
                io.chatwire.signing.SecretCipher.fromBase64(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("CHATWIRE_SECRET_KEY: " + e.getMessage()
                        + " (make one with: openssl rand -base64 32)");
            }
        });
        if (ingestRate < 0 || ingestBurst < 0) {
            throw new IllegalArgumentException("CHATWIRE_INGEST_RATE and CHATWIRE_INGEST_BURST must not be negative");
        }
        if (endpointConcurrency < 1) {
            throw new IllegalArgumentException("CHATWIRE_ENDPOINT_CONCURRENCY must be at least 1");
        }
        if (authFailureLimit < 0) {
            throw new IllegalArgumentException("CHATWIRE_AUTH_FAILURE_LIMIT must not be negative");
        }
        trustedProxies = List.copyOf(trustedProxies);
        if (onDemandRate < 0 || onDemandBurst < 0) {
            throw new IllegalArgumentException(
                    "CHATWIRE_ON_DEMAND_RATE and CHATWIRE_ON_DEMAND_BURST must not be negative");
        }
        if (headerTimeout.isZero() || headerTimeout.isNegative()) {
            throw new IllegalArgumentException("CHATWIRE_HEADER_TIMEOUT must be longer than zero (got " + headerTimeout + ")");
        }
        if (relayTimeout.isZero() || relayTimeout.isNegative()) {
            throw new IllegalArgumentException("CHATWIRE_RELAY_TIMEOUT must be longer than zero (got " + relayTimeout + ")");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("CHATWIRE_MAX_CONNECTIONS must be at least 1 (got " + maxConnections + ")");
        }
        if (endpointRetriesMax < 0) {
            throw new IllegalArgumentException("CHATWIRE_ENDPOINT_RETRIES_MAX must not be negative");
        }
        if (endpointTimeoutMax.compareTo(Duration.ofSeconds(1)) < 0 || endpointTimeoutMax.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("CHATWIRE_ENDPOINT_TIMEOUT_MAX (" + endpointTimeoutMax
                    + ") must be at least 1s and shorter than CHATWIRE_LEASE (" + leaseDuration
                    + "), or an endpoint's slow attempt would lose its lease mid-flight");
        }
        if (endpointRateLimitMax < 1) {
            throw new IllegalArgumentException("CHATWIRE_ENDPOINT_RATE_LIMIT_MAX must be at least 1");
        }
        if (liveStreamsPerAccount < 1) {
            throw new IllegalArgumentException("CHATWIRE_LIVE_STREAMS_PER_ACCOUNT must be at least 1 (got "
                    + liveStreamsPerAccount + ")");
        }
        if (liveHeartbeat.isZero() || liveHeartbeat.isNegative()) {
            throw new IllegalArgumentException("CHATWIRE_LIVE_HEARTBEAT must be longer than zero (got " + liveHeartbeat + ")");
        }
        if (Files.isDirectory(secretKeyFile)) {
            throw new IllegalArgumentException("CHATWIRE_SECRET_KEY_FILE: " + secretKeyFile
                    + " is a directory; name the key file itself (it is created, 0600, if missing)");
        }
    }

    /** Reads the settings from the environment and, if named, a file. */
    public static ChatwireConfig load(Map<String, String> env, Optional<Path> file) {
        Map<String, String> values = new HashMap<>();
        Optional<Path> configFile = file.or(() -> Optional.ofNullable(env.get("CHATWIRE_CONFIG_FILE")).map(Path::of));
        configFile.ifPresent(f -> values.putAll(readFile(f)));
        env.forEach((k, v) -> {
            if (k.startsWith("CHATWIRE_")) {
                values.put(k, v);
            }
        });
        Settings s = new Settings(values);
        Path dataDir = Path.of(s.text("CHATWIRE_DATA_DIR", "./data"));
        // The key is given (CHATWIRE_SECRET_KEY), or read from a file named (CHATWIRE_SECRET_KEY_FILE),
        // or from <data dir>/secret.key; naming both would leave which key seals the secrets to a rule.
        Optional<String> keyFile = s.optional("CHATWIRE_SECRET_KEY_FILE");
        if (keyFile.isPresent() && s.optional("CHATWIRE_SECRET_KEY").isPresent()) {
            throw new IllegalArgumentException(
                    "set CHATWIRE_SECRET_KEY (the key) or CHATWIRE_SECRET_KEY_FILE (a file holding it), not both");
        }
        return new ChatwireConfig(
                s.text("CHATWIRE_HOST", "127.0.0.1"),
                s.integer("CHATWIRE_PORT", 8080),
                dataDir,
                s.text("CHATWIRE_DB_URL", "jdbc:sqlite:" + dataDir.resolve("chatwire.db")),
                s.text("CHATWIRE_DB_SCHEMA", ""),
                s.optional("CHATWIRE_ADMIN_TOKEN"),
                s.schedule("CHATWIRE_RETRY_SCHEDULE", RetryPolicy.DEFAULT_SCHEDULE),
                s.duration("CHATWIRE_CONNECT_TIMEOUT", "5s"),
                s.duration("CHATWIRE_REQUEST_TIMEOUT", "15s"),
                s.integer("CHATWIRE_MAX_EVENT_BYTES", 1024 * 1024),
                s.integer("CHATWIRE_MAX_SETTINGS_BYTES", 64 * 1024),
                s.integer("CHATWIRE_MAX_RESPONSE_BYTES", 64 * 1024),
                s.duration("CHATWIRE_LEASE", "30s"),
                s.duration("CHATWIRE_POLL_INTERVAL", "1s"),
                s.integer("CHATWIRE_MAX_IN_FLIGHT", 4096),
                s.duration("CHATWIRE_SHUTDOWN_GRACE", "10s"),
                s.text("CHATWIRE_NODE_ID", "node-" + UUID.randomUUID().toString().substring(0, 8)),
                s.duration("CHATWIRE_SECRET_GRACE_PERIOD", "24h"),
                s.duration("CHATWIRE_AUTO_DISABLE_AFTER", "5d"),
                s.cidrs("CHATWIRE_ALLOWED_TARGETS"),
                s.bool("CHATWIRE_REQUIRE_HTTPS", false),
                s.duration("CHATWIRE_RETENTION", "30d"),
                s.duration("CHATWIRE_PURGE_INTERVAL", "5m"),
                s.optional("CHATWIRE_SECRET_KEY"),
                s.integer("CHATWIRE_INGEST_RATE", 500),
                s.integer("CHATWIRE_INGEST_BURST", 2 * s.integer("CHATWIRE_INGEST_RATE", 500)),
                s.integer("CHATWIRE_ENDPOINT_CONCURRENCY", 64),
                s.integer("CHATWIRE_AUTH_FAILURE_LIMIT", 20),
                s.bool("CHATWIRE_STRICT_EVENTS", false),
                s.cidrs("CHATWIRE_TRUSTED_PROXIES"),
                s.integer("CHATWIRE_ON_DEMAND_RATE", 10),
                s.integer("CHATWIRE_ON_DEMAND_BURST", 60),
                s.duration("CHATWIRE_HEADER_TIMEOUT", "10s"),
                s.integer("CHATWIRE_MAX_CONNECTIONS", 10_000),
                s.duration("CHATWIRE_RELAY_TIMEOUT", "1m"),
                keyFile.map(Path::of).orElse(dataDir.resolve("secret.key")),
                s.integer("CHATWIRE_ENDPOINT_RETRIES_MAX", 20),
                s.duration("CHATWIRE_ENDPOINT_RETRY_DELAY_MAX", "1d"),
                // By default an endpoint may shorten the operator's timeout, not lengthen it.
                s.duration("CHATWIRE_ENDPOINT_TIMEOUT_MAX", s.text("CHATWIRE_REQUEST_TIMEOUT", "15s")),
                s.integer("CHATWIRE_ENDPOINT_RATE_LIMIT_MAX", 1000),
                s.integer("CHATWIRE_LIVE_STREAMS_PER_ACCOUNT", 5),
                s.duration("CHATWIRE_LIVE_HEARTBEAT", "10s"),
                FrameAncestors.parse(s.text("CHATWIRE_PORTAL_FRAME_ANCESTORS", "'none'")),
                s.optional("CHATWIRE_PUBLIC_URL").map(ChatwireConfig::publicUrl));
    }

    /** Where browsers reach this server (for the portal's links), such as https://webhooks.example.com. */
    private static URI publicUrl(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("CHATWIRE_PUBLIC_URL is not a URL: " + e.getMessage(), e);
        }
        if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme())) || url.getHost() == null
                || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("CHATWIRE_PUBLIC_URL must be an http(s) URL without query, such as"
                    + " https://webhooks.example.com (got " + text + ")");
        }
        return url;
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new HashMap<>();
        p.forEach((k, v) -> values.put(k.toString().strip(), v.toString().strip()));
        return values;
    }

    /** One line for the start-up log, the admin token masked and a password in the DB URL removed. */
    public String describe() {
        return "host=" + host + " port=" + port + " dataDir=" + dataDir + " db=" + maskUrl(dbUrl)
                + (dbSchema.isBlank() ? "" : " schema=" + dbSchema)
                + " adminToken=" + (adminToken.isPresent() ? "***(from CHATWIRE_ADMIN_TOKEN)" : "(none)")
                + " retrySchedule=" + retrySchedule + " connectTimeout=" + connectTimeout
                + " requestTimeout=" + requestTimeout + " maxEventBytes=" + maxEventBytes + " lease=" + leaseDuration
                + " pollInterval=" + pollInterval + " maxInFlight=" + maxInFlight + " node=" + nodeId
                + " secretGracePeriod=" + secretGracePeriod + " autoDisableAfter=" + autoDisableAfter
                + " relayTimeout=" + relayTimeout
                + " allowedTargets=" + allowedTargets + " requireHttps=" + requireHttps
                + " retention=" + retention + " purgeInterval=" + purgeInterval
                + " secretKey=" + (secretKey.isPresent() ? "***(from CHATWIRE_SECRET_KEY)" : "(key file " + secretKeyFile() + ")")
                + " ingestRate=" + (ingestRate == 0 ? "unlimited" : ingestRate + "/s burst " + ingestBurst)
                + " endpointConcurrency=" + endpointConcurrency
                + " authFailureLimit=" + (authFailureLimit == 0 ? "off" : authFailureLimit + "/min")
                + " strictEvents=" + strictEvents
                + " trustedProxies=" + trustedProxies
                + " onDemandRate=" + (onDemandRate == 0 ? "unlimited" : onDemandRate + "/s burst " + onDemandBurst)
                + " headerTimeout=" + headerTimeout + " maxConnections=" + maxConnections
                + " endpointPolicyBounds=" + policyBounds()
                + " liveStreamsPerAccount=" + liveStreamsPerAccount + " liveHeartbeat=" + liveHeartbeat
                + " portalFrameAncestors=" + portalFrameAncestors
                + " publicUrl=" + publicUrl.map(URI::toString).orElse("(from each request)");
    }

    /** What an endpoint may set of its own policy (see docs/policies.md). */
    public io.chatwire.policy.PolicyBounds policyBounds() {
        return new io.chatwire.policy.PolicyBounds(endpointRetriesMax, endpointRetryDelayMax, endpointTimeoutMax,
                endpointRateLimitMax);
    }

    @Override
    public String toString() {
        return "ChatwireConfig[" + describe() + "]";
    }

    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//([^:/@]+):([^@]+)@", "//$1:***@");
    }

    private record Settings(Map<String, String> values) {
        String text(String key, String fallback) {
            String v = values.get(key);
            return v == null || v.isBlank() ? fallback : v.strip();
        }

        Optional<String> optional(String key) {
            String v = values.get(key);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }

        int integer(String key, int fallback) {
            String v = text(key, Integer.toString(fallback));
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number (got '" + v + "')");
            }
        }

        Duration duration(String key, String fallback) {
            try {
                return RetryPolicy.parseDuration(text(key, fallback));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }

        List<Duration> schedule(String key, String fallback) {
            try {
                return RetryPolicy.parseSchedule(text(key, fallback));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }

        /** Comma-separated CIDRs; empty (the default) is none at all. */
        List<Cidr> cidrs(String key) {
            List<Cidr> blocks = new ArrayList<>();
            for (String entry : text(key, "").split(",")) {
                if (!entry.isBlank()) {
                    try {
                        blocks.add(Cidr.parse(entry));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                    }
                }
            }
            return List.copyOf(blocks);
        }

        boolean bool(String key, boolean fallback) {
            String v = text(key, Boolean.toString(fallback)).toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(key + " must be true or false (got '" + v + "')");
            };
        }
    }
}
