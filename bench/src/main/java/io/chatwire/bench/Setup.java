package io.chatwire.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Accounts, chatbots and endpoints made through Chatwire's API, as the operator and the accounts would. */
final class Setup {
    record Account(String tag, String id, String apiKey, String signingSecret) {
    }

    /** One endpoint to register: where it points, and whether it hangs. */
    record EndpointSpec(String url, boolean hangs) {
    }

    record Created(List<Account> accounts, List<LoadGen.Bot> bots, List<String> endpointIds) {
    }

    private static final Pattern FIELD = Pattern.compile("\"(id|api_key|signing_secret)\"\\s*:\\s*\"([^\"]*)\"");

    private Setup() {
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new IllegalStateException("no " + name + " in " + json);
    }

    private static String call(int port, String method, String path, String token, String json, int expect)
            throws IOException {
        try (Http11 c = new Http11("127.0.0.1", port)) {
            Http11.Response r = c.send(method, path, token, json.getBytes(StandardCharsets.UTF_8));
            if (r.status() != expect) {
                throw new IOException(method + " " + path + " answered " + r.status() + ": " + r.text());
            }
            return r.text();
        }
    }

    /**
     * Creates {@code accounts} standard-plan accounts with {@code botsPerAccount} chatbots each, and the
     * endpoints {@code endpoints} names for each chatbot (by global chatbot index), 32 requests at a time.
     */
    static Created create(Receiver receiver, int port, String token, String prefix, int accounts, int botsPerAccount,
            IntFunction<List<EndpointSpec>> endpoints) throws Exception {
        return create(receiver, port, token, prefix, accounts, botsPerAccount, endpoints, "");
    }

    /** As above; {@code endpointFields} is added to each endpoint's JSON (e.g. {@code ,"ordering":"conversation"}). */
    static Created create(Receiver receiver, int port, String token, String prefix, int accounts, int botsPerAccount,
            IntFunction<List<EndpointSpec>> endpoints, String endpointFields) throws Exception {
        List<Account> made = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            String tag = prefix + "a" + a;
            String json = call(port, "POST", "/v1/accounts", token,
                    "{\"name\":\"bench " + tag + "\",\"plan\":\"standard\"}", 201);
            Account acct = new Account(tag, field(json, "id"), field(json, "api_key"), field(json, "signing_secret"));
            receiver.addAccount(tag, acct.signingSecret());
            made.add(acct);
        }
        int total = accounts * botsPerAccount;
        List<LoadGen.Bot> bots = new ArrayList<>();
        List<Callable<List<String>>> work = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Account acct = made.get(i / botsPerAccount);
            String botId = prefix + "bot" + i;
            List<EndpointSpec> specs = endpoints.apply(i);
            for (EndpointSpec s : specs) {
                String host = java.net.URI.create(s.url()).getHost();
                receiver.bind(host);
            }
            bots.add(new LoadGen.Bot(botId, (int) specs.stream().filter(s -> !s.hangs()).count()));
            work.add(() -> {
                // Only the operator chooses chatbot ids (the platform's own).
                call(port, "POST", "/v1/accounts/" + acct.id() + "/chatbots", token,
                        "{\"name\":\"bench " + botId + "\",\"id\":\"" + botId + "\"}", 201);
                List<String> ids = new ArrayList<>();
                for (EndpointSpec s : specs) {
                    String json = call(port, "POST", "/v1/chatbots/" + botId + "/endpoints", acct.apiKey(),
                            "{\"url\":\"" + s.url() + "\",\"events\":[\"chat\"],\"description\":\"bench\""
                                    + endpointFields + "}", 201);
                    ids.add(field(json, "id"));
                }
                return ids;
            });
        }
        List<String> endpointIds = new ArrayList<>();
        for (List<String> ids : parallel(work, 32)) {
            endpointIds.addAll(ids);
        }
        return new Created(made, bots, endpointIds);
    }

    static <T> List<T> parallel(List<Callable<T>> work, int concurrency) throws Exception {
        Semaphore permits = new Semaphore(concurrency);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> c : work) {
                futures.add(ex.submit(() -> {
                    permits.acquire();
                    try {
                        return c.call();
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex2 ? ex2 : e;
                }
            }
            return out;
        }
    }
}
