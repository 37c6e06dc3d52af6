#!/usr/bin/env python3
# Counts what one Chatwire node asks of PostgreSQL per delivery: statements and round trips (from the
# driver's own protocol log, java.util.logging at FINEST), and the CPU time of the node's database
# backends and of the node (from /proc). One account, one chatbot, 3 endpoints on a local receiver
# answering 204; N events posted by 16 concurrent clients.
#   bench/pg-statements.py server/target 320                     statements and round trips
#   NOLOG=1 PGOPTS=prepareThreshold=5 bench/pg-statements.py server/target 320   CPU (no logging)
# Statements are counted with prepareThreshold=0 (every statement names its text; the round trips
# are the same). Needs PostgreSQL at 127.0.0.1:5432, database test, user postgres; uses a fresh schema.
import os, sys, time, json, subprocess, threading, urllib.request, http.server, socketserver, re, tempfile, signal, uuid
srv, n = sys.argv[1], int(sys.argv[2])
got = [0]; lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        self.rfile.read(int(self.headers.get('content-length', 0)))
        with lock: got[0] += 1
        self.send_response(204); self.send_header('content-length', '0'); self.end_headers()
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
rs = S(('127.0.0.1', 18799), H); threading.Thread(target=rs.serve_forever, daemon=True).start()
d = tempfile.mkdtemp(prefix='cw-pg-')
log = d + '/pgjdbc.log'
pglevel = 'OFF' if os.environ.get('NOLOG') else 'FINEST'
open(d + '/jul.properties', 'w').write(f'handlers=java.util.logging.FileHandler\njava.util.logging.FileHandler.pattern={log}\njava.util.logging.FileHandler.limit=0\njava.util.logging.FileHandler.formatter=java.util.logging.SimpleFormatter\n.level=OFF\norg.postgresql.level={pglevel}\njava.util.logging.FileHandler.level=FINEST\n')
schema = 'pg_statements_' + uuid.uuid4().hex[:8]
token = 'pg-count-operator-token-0123456789abcdef'
env = dict(os.environ, CHATWIRE_PORT='18798', CHATWIRE_DATA_DIR=d + '/data', CHATWIRE_ADMIN_TOKEN=token,
           CHATWIRE_DB_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres&ApplicationName=chatwire-pg-statements&' + os.environ.get('PGOPTS', 'prepareThreshold=0'), CHATWIRE_DB_SCHEMA=schema,
           CHATWIRE_ALLOWED_TARGETS='127.0.0.0/8', CHATWIRE_INGEST_RATE='0')
p = subprocess.Popen([os.environ.get('JAVA_HOME', '/usr/lib/jvm/temurin-25-jdk-amd64') + '/bin/java', '-Xmx256m', '-XX:+UseSerialGC', '--enable-native-access=ALL-UNNAMED',
     '-Djava.util.logging.config.file=' + d + '/jul.properties', '-cp', f'{srv}/chatwire-server.jar:{srv}/lib/*', 'io.chatwire.server.Main', 'serve'],
     env=env, stdout=open(d + '/server.log', 'w'), stderr=subprocess.STDOUT)
base = 'http://127.0.0.1:18798'
def call(method, path, tok, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={'Authorization': 'Bearer ' + tok, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as r: return json.loads(r.read() or b'{}')
for _ in range(600):
    try:
        urllib.request.urlopen(base + '/readyz', timeout=1); break
    except Exception: time.sleep(0.1)
acct = call('POST', '/v1/accounts', token, {'name': 'count', 'plan': 'standard'})
call('POST', f"/v1/accounts/{acct['id']}/chatbots", token, {'name': 'count', 'id': 'countbot'})
for i in range(3):
    call('POST', '/v1/chatbots/countbot/endpoints', acct['api_key'], {'url': f'http://127.0.0.1:18799/h/{i}', 'events': ['chat'], 'description': 'count'})
time.sleep(1.5)
mark = os.path.getsize(log) if os.path.exists(log) else 0
def backend_cpu():
    pids = subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-Atc',
        "select pid from pg_stat_activity where application_name = 'chatwire-pg-statements'"], capture_output=True, text=True).stdout.split()
    tick = os.sysconf('SC_CLK_TCK'); total = 0.0
    for pid in pids:
        try:
            f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except Exception: pass
    return total, len(pids)
def node_cpu():
    f = open(f'/proc/{p.pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')
db0, nb = backend_cpu(); n0 = node_cpu()
body = {"event": "chat", "messages": [{"role": "user", "content": "How to integrate with Discord?"}], "answer": {"role": "assistant", "content": "Follow the guide.", "score": 0.85}, "chatbot_id": "countbot", "source": "widget", "cost_credits": 20, "lead": {"uuid": "28239132-671d-4b1f-9d43-1c7b70985ede"}}
def poster(k):
    for i in range(k):
        b = dict(body, conversation_id=str(uuid.uuid4())); call('POST', '/v1/events', token, b)
ts = [threading.Thread(target=poster, args=(n // 16,)) for _ in range(16)]
[t.start() for t in ts]; [t.join() for t in ts]
events = 16 * (n // 16)
for _ in range(600):
    if got[0] >= 3 * events: break
    time.sleep(0.1)
time.sleep(2)
db1, nb1 = backend_cpu(); n1 = node_cpu()
p.send_signal(signal.SIGTERM); p.wait(60)
text = open(log, errors='replace').read()[mark:] if os.path.exists(log) else ''
execs = len(re.findall(r'FE=> Execute', text)); syncs = len(re.findall(r'FE=> Sync', text))
parses = len(re.findall(r'FE=> Parse', text))
commits = len(re.findall(r'COMMIT', text))
result = (json.dumps({'db_cpu_ms_per_delivery': round(1000 * (db1 - db0) / got[0], 3), 'backends': [nb, nb1],
                  'node_cpu_ms_per_delivery': round(1000 * (n1 - n0) / got[0], 3), 'events': events, 'deliveries': got[0], 'execute': execs, 'sync': syncs, 'parse': parses, 'commit_mentions': commits,
                  'execute_per_delivery': round(execs / got[0], 2), 'sync_per_delivery': round(syncs / got[0], 2)}))
names = {}
import collections
cat = collections.Counter()
for m in re.finditer(r'FE=> (?:Parse\(stmt=null,query="(.{0,60})|Bind\(stmt=(S_\d+))', text):
    q = m.group(1) if m.group(1) is not None else names.get(m.group(2), m.group(2))
    cat[' '.join(q.split())[:48]] += 1
for k, v in cat.most_common(14): result += f'\n{v:6d} {v/got[0]:6.3f}/delivery  {k}'

subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-qc', f'DROP SCHEMA {schema} CASCADE'])

print(result)
