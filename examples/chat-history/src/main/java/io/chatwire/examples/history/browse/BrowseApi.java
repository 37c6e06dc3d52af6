package io.chatwire.examples.history.browse;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
import java.util.Optional;

/**
 * The JSON API: {@code GET /api/leads}, {@code /api/leads/{uuid}} (the lead and its conversations with
 * their transcripts) and {@code /api/conversations/{id}}. Absent values are left out, never null.
 */
public final class BrowseApi implements HttpHandler {
    static final int LEAD_LIST_LIMIT = 200;

    private final HistoryStore store;

    public BrowseApi(HistoryStore store) {
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!Http.onlyMethod(exchange, "GET")) {
                return;
            }
            String path = exchange.getRequestURI().getRawPath().substring("/api".length());
            Optional<Routes> route = Routes.match(path).filter(r -> !path.equals("/"));
            if (route.isEmpty()) {
                Http.error(exchange, 404, "not_found", "no such route; see /api/leads");
                return;
            }
            switch (route.get()) {
                case Routes.Leads l -> Http.json(exchange, 200, leads(store.leads(LEAD_LIST_LIMIT)));
                case Routes.LeadById l -> {
                    Optional<Lead> lead = store.lead(l.leadUuid());
                    if (lead.isPresent()) {
                        Http.json(exchange, 200, lead(lead.get()));
                    } else {
                        Http.error(exchange, 404, "lead_not_found", "no lead with that uuid has been received");
                    }
                }
                case Routes.ConversationById c -> {
                    Optional<Conversation> conversation = store.conversation(c.conversationId());
                    if (conversation.isPresent()) {
                        Http.json(exchange, 200, conversation(conversation.get()));
                    } else {
                        Http.error(exchange, 404, "conversation_not_found", "no conversation with that id has been received");
                    }
                }
            }
        }
    }

    private static ObjectNode leads(List<LeadSummary> leads) {
        ObjectNode root = Http.JSON.createObjectNode();
        ArrayNode data = root.putArray("data");
        for (LeadSummary l : leads) {
            ObjectNode n = data.addObject().put("lead_uuid", l.leadUuid());
            l.name().ifPresent(v -> n.put("name", v));
            l.email().ifPresent(v -> n.put("email", v));
            n.put("conversations", l.conversations()).put("last_seen", l.lastSeen().toString());
        }
        return root;
    }

    static ObjectNode lead(Lead lead) {
        ObjectNode n = Http.JSON.createObjectNode().put("lead_uuid", lead.leadUuid());
        lead.name().ifPresent(v -> n.put("name", v));
        lead.email().ifPresent(v -> n.put("email", v));
        lead.phone().ifPresent(v -> n.put("phone", v));
        n.put("first_seen", lead.firstSeen().toString()).put("last_seen", lead.lastSeen().toString());
        ArrayNode conversations = n.putArray("conversations");
        lead.conversations().forEach(c -> conversations.add(conversation(c)));
        activity(n.putArray("activity"), lead.activity());
        return n;
    }

    static ObjectNode conversation(Conversation c) {
        ObjectNode n = Http.JSON.createObjectNode().put("conversation_id", c.conversationId())
                .put("chatbot_id", c.chatbotId());
        c.leadUuid().ifPresent(v -> n.put("lead_uuid", v));
        n.put("source", c.source()).put("first_seen", c.firstSeen().toString()).put("last_seen", c.lastSeen().toString());
        ArrayNode turns = n.putArray("turns");
        for (Turn t : c.turns()) {
            ObjectNode turn = turns.addObject().put("role", t.role()).put("content", t.content());
            t.score().ifPresent(s -> turn.put("score", s));
        }
        activity(n.putArray("activity"), c.activity());
        return n;
    }

    private static void activity(ArrayNode into, List<Activity> activity) {
        for (Activity a : activity) {
            ObjectNode n = into.addObject().put("event", a.type());
            a.conversationId().ifPresent(v -> n.put("conversation_id", v));
            a.leadUuid().ifPresent(v -> n.put("lead_uuid", v));
            n.put("summary", a.summary()).put("received_at", a.receivedAt().toString());
        }
    }
}
