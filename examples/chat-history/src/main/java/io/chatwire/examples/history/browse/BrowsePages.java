package io.chatwire.examples.history.browse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.chatwire.examples.history.Http;
import io.chatwire.examples.history.event.Turn;
import io.chatwire.examples.history.store.HistoryStore;
import io.chatwire.examples.history.store.Views.Activity;
import io.chatwire.examples.history.store.Views.Conversation;
import io.chatwire.examples.history.store.Views.Lead;
import io.chatwire.examples.history.store.Views.LeadSummary;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Server-rendered pages: {@code /} (recent leads), {@code /leads/{uuid}} (a lead's conversations,
 * each transcript in full) and {@code /conversations/{id}}. Every value from a delivery is
 * HTML-escaped, and the Content-Security-Policy lets no script run should one slip through.
 */
public final class BrowsePages implements HttpHandler {
    private static final String STYLE = """
            body{font:15px/1.45 system-ui,sans-serif;max-width:52rem;margin:1.5rem auto;padding:0 1rem;color:#1d232a}
            a{color:#0b57d0}table{border-collapse:collapse;width:100%}td,th{padding:.35rem .5rem;border-bottom:1px solid #dde2e8;text-align:left}
            .turn{margin:.4rem 0;padding:.5rem .75rem;border-radius:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}
            .user{background:#e8f0fe;margin-left:4rem}.assistant{background:#f1f3f4;margin-right:4rem}
            .role{font-size:.75rem;color:#5f6368;display:block}.meta{color:#5f6368;font-size:.85rem}
            .activity{border-left:3px solid #e37400;padding:.25rem .6rem;margin:.4rem 0;background:#fef7e0}
            section{margin:1.5rem 0;padding-top:.5rem;border-top:2px solid #dde2e8}""";

    private final HistoryStore store;

    public BrowsePages(HistoryStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!Http.onlyMethod(exchange, "GET")) {
                return;
            }
            Optional<Routes> route = Routes.match(exchange.getRequestURI().getRawPath());
            if (route.isEmpty()) {
                Http.html(exchange, 404, page("Not found", "<p>No such page. <a href=\"/\">All leads</a></p>"));
                return;
            }
            switch (route.get()) {
                case Routes.Leads l -> Http.html(exchange, 200, leadsPage(store.leads(BrowseApi.LEAD_LIST_LIMIT)));
                case Routes.LeadById l -> {
                    Optional<Lead> lead = store.lead(l.leadUuid());
                    if (lead.isPresent()) {
                        Http.html(exchange, 200, leadPage(lead.get()));
                    } else {
                        Http.html(exchange, 404, page("Lead not found", "<p>No lead with that uuid has been received. "
                                + "<a href=\"/\">All leads</a></p>"));
                    }
                }
                case Routes.ConversationById c -> {
                    Optional<Conversation> conversation = store.conversation(c.conversationId());
                    if (conversation.isPresent()) {
                        Http.html(exchange, 200, page("Conversation " + c.conversationId(),
                                "<p><a href=\"/\">All leads</a></p>" + conversationSection(conversation.get())));
                    } else {
                        Http.html(exchange, 404, page("Conversation not found",
                                "<p>No conversation with that id has been received. <a href=\"/\">All leads</a></p>"));
                    }
                }
            }
        }
    }

    private static String leadsPage(List<LeadSummary> leads) {
        StringBuilder b = new StringBuilder();
        if (leads.isEmpty()) {
            b.append("<p>No lead yet. Point a Chatwire endpoint at <code>/webhooks/chatwire</code>.</p>");
        } else {
            b.append("<table><thead><tr><th>Lead</th><th>Name</th><th>Email</th><th>Conversations</th><th>Last seen</th></tr></thead><tbody>");
            for (LeadSummary l : leads) {
                b.append("<tr><td><a href=\"/leads/").append(escape(pathSegment(l.leadUuid()))).append("\">")
                        .append(escape(l.leadUuid())).append("</a></td><td>").append(escape(l.name().orElse("")))
                        .append("</td><td>").append(escape(l.email().orElse(""))).append("</td><td>")
                        .append(l.conversations()).append("</td><td>").append(escape(l.lastSeen().toString()))
                        .append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return page("Leads", b.toString());
    }

    private static String leadPage(Lead lead) {
        StringBuilder b = new StringBuilder("<p><a href=\"/\">All leads</a></p><p class=\"meta\">");
        lead.name().ifPresent(v -> b.append(escape(v)).append(" · "));
        lead.email().ifPresent(v -> b.append(escape(v)).append(" · "));
        lead.phone().ifPresent(v -> b.append(escape(v)).append(" · "));
        b.append(lead.conversations().size()).append(" conversation(s), last seen ")
                .append(escape(lead.lastSeen().toString())).append("</p>");
        for (Conversation c : lead.conversations()) {
            b.append(conversationSection(c));
        }
        return page("Lead " + lead.leadUuid(), b.toString());
    }

    private static String conversationSection(Conversation c) {
        StringBuilder b = new StringBuilder("<section><h2><a href=\"/conversations/")
                .append(escape(pathSegment(c.conversationId()))).append("\">").append(escape(c.conversationId()))
                .append("</a></h2><p class=\"meta\">chatbot ").append(escape(c.chatbotId())).append(" · ")
                .append(escape(c.source())).append(" · ").append(escape(c.firstSeen().toString())).append(" – ")
                .append(escape(c.lastSeen().toString())).append("</p>");
        for (Turn t : c.turns()) {
            String kind = t.role().equals("user") ? "user" : "assistant";
            b.append("<div class=\"turn ").append(kind).append("\"><span class=\"role\">").append(escape(t.role()))
                    .append("</span>").append(escape(t.content())).append("</div>");
        }
        for (Activity a : c.activity()) {
            b.append("<div class=\"activity\"><strong>").append(escape(a.type())).append("</strong> ")
                    .append(escape(a.summary())).append(" <span class=\"meta\">")
                    .append(escape(a.receivedAt().toString())).append("</span></div>");
        }
        return b.append("</section>").toString();
    }

    private static String page(String title, String body) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + " · chat history</title><style>" + STYLE + "</style></head><body><h1>"
                + escape(title) + "</h1>" + body + "</body></html>";
    }

    /** Text and attribute values: the five characters that can end one or start markup. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** An id as one URL path segment ({@code /} and the like percent-encoded). */
    private static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
