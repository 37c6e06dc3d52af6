package io.chatwire.portal;

/** What a spent, expired or unknown portal link shows, in the frame where the portal would be. */
final class RefusedPage {
    static final String HTML = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <meta name="referrer" content="no-referrer">
              <title>Link no longer valid · Chatwire</title>
              <link rel="stylesheet" href="/portal/app.css">
            </head>
            <body>
              <main id="main" class="portal-ended">
                <h1>This link can no longer be used</h1>
                <p>Each webhook settings link opens once, and only until it expires. Open the webhook
                settings again from your platform to get a new one.</p>
              </main>
            </body>
            </html>
            """;

    private RefusedPage() {
    }
}
