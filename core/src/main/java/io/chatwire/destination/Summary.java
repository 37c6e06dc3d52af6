package io.chatwire.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.chatwire.event.EventType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a person should read of an event, whatever the service shows it: a headline, passages of
 * free text (the question, the answer), short facts (source, conversation, lead) and, for an
 * escalation, a call to act. Every text here is raw, untrusted and unbounded: each service's renderer
 * escapes it for its markup and cuts it to its limits.
 */
record Summary(Tone tone, String headline, List<Passage> passages, List<Fact> facts, Optional<String> callToAction,
        String footer) {

    /** Which kind of event, for the colour and the emoji a renderer gives it. */
    enum Tone {
        CHAT, LEAD, ESCALATION
    }

    /** A labelled piece of free text, shown in full when it fits. */
    record Passage(String label, String text) {
    }

    /** A short named value. */
    record Fact(String name, String value) {
    }

    // Decimals stay decimals: a score of 1e400 is a big number, not an infinity.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    /** Lead fields shown as "who" rather than as facts of their own. */
    private static final Set<String> CONTACT_FIELDS = Set.of("name", "email", "phone");

    Summary {
        passages = List.copyOf(passages);
        facts = List.copyOf(facts);
    }

    /** The summary of a stored event (validated at intake, so a JSON object; anything odd reads as absent). */
    static Summary of(EventType type, String payload, String eventId) {
        JsonNode event = parse(payload);
        String footer = "Chatwire · event " + eventId;
        return switch (type) {
            case CHAT -> chat(event, footer);
            case LEAD_SUBMISSION -> lead(event, footer);
            case LIVE_CHAT_ESCALATION -> escalation(event, footer);
        };
    }

    private static Summary chat(JsonNode event, String footer) {
        JsonNode answer = event.path("answer");
        Optional<String> score = score(answer.path("score"));
        List<Fact> facts = new ArrayList<>();
        score.ifPresent(s -> facts.add(new Fact("Score", s)));
        facts.addAll(whereFacts(event));
        leadLine(event.path("lead")).ifPresent(l -> facts.add(new Fact("Lead", l)));
        text(event.path("client_ip")).ifPresent(ip -> facts.add(new Fact("Client IP", ip)));
        return new Summary(Tone.CHAT, "💬 New chat", List.of(
                new Passage("Question", lastUserMessage(event).orElse("(no question in the event)")),
                new Passage(score.map(s -> "Answer · score " + s).orElse("Answer"),
                        text(answer.path("content")).orElse("(no answer in the event)"))),
                facts, Optional.empty(), footer);
    }

    private static Summary lead(JsonNode event, String footer) {
        JsonNode lead = event.path("lead");
        List<String> who = new ArrayList<>();
        for (String field : List.of("name", "email", "phone")) {
            text(lead.path(field)).ifPresent(who::add);
        }
        List<Fact> facts = new ArrayList<>(whereFacts(event));
        text(event.path("client_ip")).ifPresent(ip -> facts.add(new Fact("Client IP", ip)));
        for (Map.Entry<String, JsonNode> field : lead.properties()) {
            if (!CONTACT_FIELDS.contains(field.getKey())) {
                text(field.getValue()).ifPresent(v -> facts.add(new Fact(label(field.getKey()), v)));
            }
        }
        return new Summary(Tone.LEAD, "📇 New lead", List.of(new Passage("Who",
                who.isEmpty() ? "(the lead left no name, email or phone)" : String.join("\n", who))),
                facts, Optional.empty(), footer);
    }

    private static Summary escalation(JsonNode event, String footer) {
        List<Fact> facts = new ArrayList<>(whereFacts(event));
        leadLine(event.path("lead")).ifPresent(l -> facts.add(new Fact("Lead", l)));
        text(event.path("client_ip")).ifPresent(ip -> facts.add(new Fact("Client IP", ip)));
        List<Passage> passages = lastUserMessage(event).map(m -> List.of(new Passage("Last message", m)))
                .orElse(List.of());
        String where = text(event.path("conversation_id")).map(id -> "open conversation " + id)
                .orElse("open the conversation");
        String source = text(event.path("source")).map(s -> " (" + s + ")").orElse("");
        return new Summary(Tone.ESCALATION, "🚨 A visitor asks for a human", passages, facts,
                Optional.of("Take over now: " + where + source + " in Chat Data and reply to the visitor."), footer);
    }

    /** Where the event happened: the channel it came from and the conversation. */
    private static List<Fact> whereFacts(JsonNode event) {
        List<Fact> facts = new ArrayList<>();
        text(event.path("source")).ifPresent(s -> facts.add(new Fact("Source", s)));
        text(event.path("conversation_id")).ifPresent(c -> facts.add(new Fact("Conversation", c)));
        text(event.path("chatbot_id")).ifPresent(b -> facts.add(new Fact("Chatbot", b)));
        return facts;
    }

    /** The lead in one line: its name and email if it left them, else its id. */
    private static Optional<String> leadLine(JsonNode lead) {
        List<String> parts = new ArrayList<>();
        for (String field : List.of("name", "email", "phone")) {
            text(lead.path(field)).ifPresent(parts::add);
        }
        if (parts.isEmpty()) {
            return text(lead.path("uuid"));
        }
        return Optional.of(String.join(" · ", parts));
    }

    private static Optional<String> lastUserMessage(JsonNode event) {
        JsonNode messages = event.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.path(i);
            if ("user".equals(m.path("role").asText())) {
                return text(m.path("content"));
            }
        }
        return Optional.empty();
    }

    /** The score as people read it: two decimals (0.8503905227042547 is 0.85). */
    private static Optional<String> score(JsonNode score) {
        if (!score.isNumber()) {
            return Optional.empty();
        }
        BigDecimal value = score.decimalValue();
        return Optional.of(value.abs().compareTo(BigDecimal.valueOf(1_000_000)) > 0 ? value.toString()
                : value.setScale(2, RoundingMode.HALF_UP).toPlainString());
    }

    /** A lead field's name as a label: {@code company_size} reads "Company size". */
    private static String label(String key) {
        String spaced = key.replace('_', ' ').strip();
        if (spaced.isEmpty()) {
            return "(unnamed)";
        }
        int first = spaced.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toUpperCase(first))
                .append(spaced, Character.charCount(first), spaced.length()).toString();
    }

    /** A value as text: strings as they are, numbers and booleans spelled, objects as compact JSON. */
    private static Optional<String> text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        String text = Fit.clean(node.isValueNode() ? node.asText() : node.toString());
        return text.isBlank() ? Optional.empty() : Optional.of(text.strip());
    }

    private static JsonNode parse(String payload) {
        try {
            JsonNode node = JSON.readTree(payload);
            return node == null ? MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
