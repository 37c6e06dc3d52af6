package io.chatwire.api;

import io.chatwire.account.Account;
import io.chatwire.analytics.AnalyticsStore;
import io.chatwire.analytics.LatencyHistogram;
import io.chatwire.endpoint.Endpoint;
import io.chatwire.problem.Problem;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Usage and delivery analytics over a range of UTC days, read from the daily aggregates (so a year
 * answers as fast as a day). Test events ("send test event") are not real traffic: they are counted
 * neither in usage nor in delivery success and latency.
 */
final class AnalyticsRoutes {
    static final int MAX_DAYS = 366;

    private final Api.Services s;
    private final Auth auth;

    AnalyticsRoutes(Api.Services services, Auth auth) {
        this.s = services;
        this.auth = auth;
    }

    void register(RoutesConfig r) {
        r.get("/v1/analytics/usage", this::usage);
        r.get("/v1/analytics/deliveries", this::deliveries);
    }

    record Totals(long chats, double credits, long leads, long escalations) {
        Totals plus(AnalyticsStore.UsageDay d) {
            return new Totals(chats + d.chats(), credits + d.credits(), leads + d.leads(), escalations + d.escalations());
        }
    }

    record UsageDayView(LocalDate day, long chats, double credits, long leads, long escalations,
            Map<String, Long> chatsBySource) {
    }

    record UsageView(LocalDate from, LocalDate to, Optional<String> chatbotId, Totals totals,
            Map<String, Long> chatsBySource, List<UsageDayView> days) {
    }

    record DeliveryDayView(LocalDate day, long attempts, long successes, double successRate, long p50Ms, long p95Ms) {
    }

    record EndpointDeliveryView(String endpointId, String chatbotId, String url, long attempts, long successes,
            double successRate, long p50Ms, long p95Ms, List<DeliveryDayView> days) {
    }

    record DeliveriesView(LocalDate from, LocalDate to, List<EndpointDeliveryView> endpoints) {
    }

    private record Range(LocalDate from, LocalDate to) {
    }

    /** Per day (every day of the range, zeros included, so charts need no gap filling) and totals. */
    private void usage(Context ctx) {
        Account account = auth.requireAccount(ctx);
        Range range = range(ctx);
        Optional<String> chatbotId = Requests.query(ctx, "chatbot_id");
        chatbotId.ifPresent(id -> s.chatbots().get(account.id(), id));
        List<AnalyticsStore.UsageDay> rows = s.analytics().usage(account.id(), chatbotId, range.from(), range.to());

        Map<LocalDate, List<AnalyticsStore.UsageDay>> byDay = new TreeMap<>();
        for (LocalDate d = range.from(); !d.isAfter(range.to()); d = d.plusDays(1)) {
            byDay.put(d, new ArrayList<>());
        }
        rows.forEach(r -> byDay.get(r.day()).add(r));
        Totals totals = new Totals(0, 0, 0, 0);
        Map<String, Long> bySource = new TreeMap<>();
        List<UsageDayView> days = new ArrayList<>();
        for (var e : byDay.entrySet()) {
            Totals day = new Totals(0, 0, 0, 0);
            Map<String, Long> daySources = new TreeMap<>();
            for (AnalyticsStore.UsageDay r : e.getValue()) {
                day = day.plus(r);
                if (r.chats() > 0) {
                    daySources.merge(r.source(), r.chats(), Long::sum);
                    bySource.merge(r.source(), r.chats(), Long::sum);
                }
            }
            totals = new Totals(totals.chats() + day.chats(), totals.credits() + day.credits(),
                    totals.leads() + day.leads(), totals.escalations() + day.escalations());
            days.add(new UsageDayView(e.getKey(), day.chats(), day.credits(), day.leads(), day.escalations(), daySources));
        }
        ctx.json(new UsageView(range.from(), range.to(), chatbotId, totals, bySource, days));
    }

    private void deliveries(Context ctx) {
        Account account = auth.requireAccount(ctx);
        Range range = range(ctx);
        List<Endpoint> endpoints = new ArrayList<>();
        Optional<String> endpointId = Requests.query(ctx, "endpoint_id");
        Optional<String> chatbotId = Requests.query(ctx, "chatbot_id");
        if (endpointId.isPresent()) {
            endpoints.add(s.endpoints().get(account.id(), endpointId.get()));
        } else if (chatbotId.isPresent()) {
            endpoints.addAll(s.endpoints().listOfChatbot(account.id(), chatbotId.get()));
        } else {
            s.chatbots().list(account.id()).forEach(b -> endpoints.addAll(s.endpoints().listOfChatbot(account.id(), b.id())));
        }
        Map<String, List<AnalyticsStore.EndpointDay>> byEndpoint = new LinkedHashMap<>();
        endpoints.forEach(e -> byEndpoint.put(e.id(), new ArrayList<>()));
        if (!endpoints.isEmpty()) {
            s.analytics().endpointDays(account.id(), endpoints.stream().map(Endpoint::id).toList(), range.from(),
                    range.to()).forEach(d -> byEndpoint.get(d.endpointId()).add(d));
        }
        List<EndpointDeliveryView> views = new ArrayList<>();
        for (Endpoint e : endpoints) {
            List<AnalyticsStore.EndpointDay> days = byEndpoint.get(e.id());
            long attempts = 0;
            long successes = 0;
            long[] all = new long[LatencyHistogram.BUCKETS];
            List<DeliveryDayView> dayViews = new ArrayList<>();
            for (AnalyticsStore.EndpointDay d : days) {
                attempts += d.attempts();
                successes += d.successes();
                for (int i = 0; i < all.length; i++) {
                    all[i] += d.latencyBuckets()[i];
                }
                dayViews.add(new DeliveryDayView(d.day(), d.attempts(), d.successes(), rate(d.successes(), d.attempts()),
                        LatencyHistogram.percentile(d.latencyBuckets(), 0.5),
                        LatencyHistogram.percentile(d.latencyBuckets(), 0.95)));
            }
            views.add(new EndpointDeliveryView(e.id(), e.chatbotId(), e.url().toString(), attempts, successes,
                    rate(successes, attempts), LatencyHistogram.percentile(all, 0.5),
                    LatencyHistogram.percentile(all, 0.95), dayViews));
        }
        ctx.json(new DeliveriesView(range.from(), range.to(), views));
    }

    private static double rate(long successes, long attempts) {
        return attempts == 0 ? 0 : Math.round(10_000.0 * successes / attempts) / 10_000.0;
    }

    /** {@code from}/{@code to} as UTC dates, inclusive; the last 30 days by default. */
    private Range range(Context ctx) {
        LocalDate today = LocalDate.ofInstant(s.clock().instant(), ZoneOffset.UTC);
        LocalDate to = Requests.date(ctx, "to").orElse(today);
        LocalDate from = Requests.date(ctx, "from").orElse(to.minusDays(29));
        if (from.isAfter(to)) {
            throw new Problem.Invalid("invalid_parameter", "from must not be after to");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new Problem.Invalid("invalid_parameter", "from and to may span at most " + MAX_DAYS + " days");
        }
        return new Range(from, to);
    }
}
