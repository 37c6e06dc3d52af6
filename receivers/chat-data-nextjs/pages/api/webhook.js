// A Chatwire (and Chat Data) webhook receiver: a Next.js API route with Next's default body parser,
// as Chat Data's own example deploys it. Chatwire sends the body as `text/plain; charset=utf-8`, so
// Next hands this route the body as a string: exactly the JSON text that was signed.
import crypto from 'node:crypto';
import fs from 'node:fs';

// The x-chat-data-hmac-sha256 header is base64(HMAC-SHA256(signing secret, raw body)).
const verifySignature = (body, signature, signingSecret) => {
  if (typeof signature !== 'string') {
    return false;
  }
  // update() needs the raw text. An endpoint set to `application/json` makes Next parse the body
  // into an object, and this line throws: Next then answers 500 to every delivery.
  const expected = crypto.createHmac('sha256', signingSecret).update(body).digest();
  const presented = Buffer.from(signature, 'base64');
  // timingSafeEqual compares in constant time, but only buffers of the same length.
  return presented.length === expected.length && crypto.timingSafeEqual(expected, presented);
};

// One JSON line per request, on the console and, when RECEIVED_LOG names a file, in that file.
const record = (entry) => {
  const line = JSON.stringify(entry);
  console.log(line);
  if (process.env.RECEIVED_LOG) {
    fs.appendFileSync(process.env.RECEIVED_LOG, line + '\n');
  }
};

export default function handler(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: 'Method Not Allowed' });
  }
  const signingSecret = process.env.SIGNING_SECRET;
  if (!signingSecret) {
    return res.status(500).json({ error: 'SIGNING_SECRET is not set' });
  }

  const seen = {
    topic: req.headers['x-chat-data-topic'],
    webhook_id: req.headers['webhook-id'],
    body_type: typeof req.body,
  };
  if (!verifySignature(req.body, req.headers['x-chat-data-hmac-sha256'], signingSecret)) {
    record({ ...seen, status: 403, reason: 'invalid signature' });
    return res.status(403).json({ error: 'Invalid signature' });
  }

  let event;
  try {
    event = JSON.parse(req.body);
  } catch (err) {
    record({ ...seen, status: 400, reason: 'body is not JSON' });
    return res.status(400).json({ error: 'Body is not JSON' });
  }

  // The event is authentic: handle it here (event.event is chat, lead-submission or live-chat-escalation).
  record({ ...seen, status: 200, event: event.event, chatbot_id: event.chatbot_id });
  return res.status(200).json({ received: true });
}
