package io.chatwire.probe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A health check for the container image, which has no shell and no curl: {@code java -cp /app/classes
 * io.chatwire.probe.Probe http://127.0.0.1:8080/readyz} exits 0 when the URL answers 200 within 3 s,
 * else 1 (with the reason on stderr). Kept apart from {@code Main} and its libraries so that the JVM
 * it starts loads little: a Compose {@code healthcheck} runs it every few seconds.
 */
public final class Probe {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private Probe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -cp /app/classes io.chatwire.probe.Probe URL");
            System.exit(2);
        }
        System.exit(check(URI.create(args[0])) ? 0 : 1);
    }

    static boolean check(URI url) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return true;
            }
            System.err.println(url + " answered " + response.statusCode() + ": " + response.body());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println(url + ": interrupted");
            return false;
        } catch (Exception e) {
            System.err.println(url + ": " + e);
            return false;
        }
    }
}
