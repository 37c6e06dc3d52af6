package io.chatwire.destination;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A summary as a Discord execute-webhook body: a short {@code content} line (what a notification
 * shows) and one embed with the passages in its description and the facts as fields. Within Discord's
 * documented limits: content at most 2000 characters; an embed's title 256, description 4096, at most
 * 25 fields with names of 256 and values of 1024, footer 2048, and 6000 characters over all of them.
 * Untrusted text has Discord's markdown characters escaped with a backslash, and
 * {@code allowed_mentions} parses nothing, so an answer that says {@code @everyone} pings nobody.
 */
final class DiscordMessage {
    static final int CONTENT = 2000;
    static final int DESCRIPTION = 4096;
    static final int FIELDS = 25;
    static final int FIELD_NAME = 256;
    static final int FIELD_VALUE = 1024;
    static final int FOOTER = 2048;
    static final int EMBED_TOTAL = 6000;
    /** Far below the documented 1024 per value: a fact is a short value, and the passages need the room. */
    static final int FACT_VALUE = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters that start Discord markdown; any of them is shown as itself once a backslash precedes it. */
    private static final String MARKDOWN = "\\*_~`|>#-[]()<";
    static final Fit.Escaping MARKDOWN_ESCAPED = cp -> cp < 128 && MARKDOWN.indexOf(cp) >= 0
            ? "\\" + (char) cp : Character.toString(cp);

    private DiscordMessage() {
    }

    static byte[] render(Summary summary) {
        ObjectNode message = JSON.createObjectNode();
        String content = summary.callToAction().map(c -> summary.headline() + " — " + c).orElse(summary.headline());
        message.put("content", Fit.text(content, CONTENT, MARKDOWN_ESCAPED));
        ObjectNode embed = message.putArray("embeds").addObject();
        embed.put("color", switch (summary.tone()) {
            case CHAT -> 0x5865F2;
            case LEAD -> 0x57F287;
            case ESCALATION -> 0xED4245;
        });
        List<String[]> fields = new ArrayList<>();
        boolean cut = summary.facts().size() > FIELDS;
        int shown = Math.min(summary.facts().size(), FIELDS);
        for (int i = 0; i < shown; i++) {
            Summary.Fact f = summary.facts().get(i);
            fields.add(cut && i == FIELDS - 1
                    ? new String[] {"More", (summary.facts().size() - FIELDS + 1) + " more fields in the event"}
                    : new String[] {orDash(Fit.text(f.name(), 100, MARKDOWN_ESCAPED)),
                            orDash(Fit.text(f.value(), FACT_VALUE, MARKDOWN_ESCAPED))});
        }
        String footer = Fit.text(summary.footer(), 200, Fit.Escaping.NONE);
        int used = footer.length();
        for (String[] f : fields) {
            used += f[0].length() + f[1].length();
        }
        embed.put("description", description(summary, Math.min(DESCRIPTION, EMBED_TOTAL - used)));
        ArrayNode fieldArray = embed.putArray("fields");
        for (String[] f : fields) {
            fieldArray.addObject().put("name", f[0]).put("value", f[1]).put("inline", f[1].length() <= 40);
        }
        embed.putObject("footer").put("text", footer);
        // Nothing in a message Chatwire renders may ping anyone: no @everyone, no roles, no users.
        message.putObject("allowed_mentions").putArray("parse");
        try {
            return JSON.writeValueAsString(message).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    /**
     * The passages, each under its bold label, sharing the room fairly: a short question keeps all of
     * it and leaves the rest to the answer, two long ones get half each.
     */
    private static String description(Summary summary, int room) {
        List<String> labels = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (Summary.Passage p : summary.passages()) {
            labels.add("**" + Fit.text(p.label(), 200, MARKDOWN_ESCAPED) + "**\n");
            texts.add(p.text());
        }
        int fixed = 0;
        for (String l : labels) {
            fixed += l.length();
        }
        fixed += 2 * Math.max(0, labels.size() - 1);
        int[] budgets = share(texts, Math.max(0, room - fixed));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            if (i > 0) {
                out.append("\n\n");
            }
            out.append(labels.get(i)).append(orDash(Fit.text(texts.get(i), budgets[i], MARKDOWN_ESCAPED)));
        }
        return out.isEmpty() ? "—" : out.toString();
    }

    /** Splits {@code room} among the texts: each takes what it needs up to an equal share of what is left. */
    static int[] share(List<String> texts, int room) {
        int[] budgets = new int[texts.size()];
        int[] needs = new int[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            needs[i] = Fit.text(texts.get(i), Integer.MAX_VALUE, MARKDOWN_ESCAPED).length();
        }
        boolean[] settled = new boolean[texts.size()];
        int left = room;
        int open = texts.size();
        boolean changed = true;
        while (open > 0 && changed) {
            changed = false;
            int fair = left / open;
            for (int i = 0; i < texts.size(); i++) {
                if (!settled[i] && needs[i] <= fair) {
                    budgets[i] = needs[i];
                    left -= needs[i];
                    settled[i] = true;
                    open--;
                    changed = true;
                }
            }
        }
        for (int i = 0; i < texts.size(); i++) {
            if (!settled[i]) {
                budgets[i] = left / open;
            }
        }
        return budgets;
    }

    /** Discord refuses an empty field value; a dash says "nothing" to a reader. */
    private static String orDash(String text) {
        return text.isBlank() ? "—" : text;
    }
}
