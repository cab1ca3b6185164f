#!/usr/bin/env python3
"""A local webhook receiver for the notification tests, independent of Assay's code.

Usage: webhook_receiver.py PORT_FILE LOG_FILE SECRET

POST /ok checks the Standard Webhooks signature (HMAC-SHA256 over "id.timestamp.body",
keyed with the base64 after "whsec_") and answers 204 when it holds, 401 when not;
POST /fail always answers 503; POST /slack answers 200 "ok". Every request is appended to
LOG_FILE as one JSON line: path, whether the signature verified, and the parsed body.
"""

import base64
import hashlib
import hmac
import http.server
import json
import sys

port_file, log_file, secret = sys.argv[1], sys.argv[2], sys.argv[3]
key = base64.b64decode(secret[len("whsec_"):])


def verified(headers, body):
    msg_id = headers.get("webhook-id", "")
    ts = headers.get("webhook-timestamp", "")
    signed = ("%s.%s." % (msg_id, ts)).encode() + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split() if s.startswith("v1,")]
    return any(hmac.compare_digest(want, g) for g in given)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        ok = verified(self.headers, body)
        with open(log_file, "a") as f:
            f.write(json.dumps({"path": self.path, "verified": ok, "body": json.loads(body)}) + "\n")
        if self.path == "/ok":
            self.send_response(204 if ok else 401)
            self.end_headers()
        elif self.path == "/slack":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        else:
            self.send_response(503)
            self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
