package io.chatwire.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * A summary as a Slack incoming-webhook message: Block Kit blocks for the channel, and a plain
 * {@code text} for notifications and clients without blocks. Within Slack's documented limits: a
 * header's text at most 150 characters, a section's text 3000, a section at most 10 fields of 2000
 * each, a context's element 3000 (Chatwire's footer is far shorter), at most 50 blocks (a message has
 * at most 7). Untrusted text has {@code &}, {@code <} and {@code >} escaped, so that it can never
 * become a link or a mention such as {@code <!channel>}; Slack has no escape for {@code *_~`}, so
 * those format as they would if the visitor had typed them in Slack.
 */
final class SlackMessage {
    static final int HEADER_TEXT = 150;
    static final int SECTION_TEXT = 3000;
    static final int FIELDS = 10;
    /** Far below the documented 2000 per field: a fact is a short value, and the blocks stay small overall. */
    static final int FACT_VALUE = 300;
    static final int NOTIFICATION_TEXT = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Fit.Escaping MRKDWN = cp -> switch (cp) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        default -> Character.toString(cp);
    };

    private SlackMessage() {
    }

    static byte[] render(Summary summary) {
        ObjectNode message = JSON.createObjectNode();
        String firstLine = summary.callToAction()
                .or(() -> summary.passages().stream().map(Summary.Passage::text).findFirst())
                .orElse("");
        message.put("text", Fit.text(summary.headline() + ": " + firstLine, NOTIFICATION_TEXT, MRKDWN));
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("emoji", true)
                .put("text", Fit.text(summary.headline(), HEADER_TEXT, Fit.Escaping.NONE));
        summary.callToAction().ifPresent(call -> section(blocks, "*" + Fit.text(call, SECTION_TEXT - 2, MRKDWN) + "*"));
        for (Summary.Passage p : summary.passages()) {
            String label = "*" + Fit.text(p.label(), 200, MRKDWN) + "*\n";
            section(blocks, label + orDash(Fit.text(p.text(), SECTION_TEXT - label.length(), MRKDWN)));
        }
        if (!summary.facts().isEmpty()) {
            ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
            int shown = Math.min(summary.facts().size(), FIELDS);
            // The last field says how many facts did not fit, rather than dropping them silently.
            boolean cut = summary.facts().size() > FIELDS;
            for (int i = 0; i < shown; i++) {
                String text = cut && i == FIELDS - 1
                        ? "*More*\n" + (summary.facts().size() - FIELDS + 1) + " more fields in the event"
                        : fact(summary.facts().get(i));
                fields.addObject().put("type", "mrkdwn").put("text", text);
            }
        }
        ObjectNode context = blocks.addObject().put("type", "context");
        context.putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", Fit.text(summary.footer(), SECTION_TEXT, MRKDWN));
        try {
            return JSON.writeValueAsString(message).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    private static String fact(Summary.Fact fact) {
        return "*" + Fit.text(fact.name(), 100, MRKDWN) + "*\n" + orDash(Fit.text(fact.value(), FACT_VALUE, MRKDWN));
    }

    private static void section(ArrayNode blocks, String mrkdwn) {
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", mrkdwn);
    }

    /** Slack refuses an empty text; a dash says "nothing" to a reader. */
    static String orDash(String text) {
        return text.isBlank() ? "—" : text;
    }
}
