#!/usr/bin/env python3
"""Local GitHub and Okta API servers for bench/monitor-15min.sh, independent of Assay's code.

Usage: monitor_mock.py PORT_FILE STATE_FILE REQUEST_LOG

Serves, on one loopback port, the Okta endpoints the okta collector reads (two active users,
their factors, an empty System Log) and the GitHub endpoints the github collector reads (one
member, one repository, its branch protection, no pull requests). STATE_FILE is JSON read on
every request: {"okta_mfa_removed": true} takes the second user's factor away, and
{"github_unprotected": true} removes the repository's branch protection (404), so the script
can introduce failures and fix them between scheduled runs. Every request is appended to
REQUEST_LOG as "METHOD PATH STATUS".
"""

import http.server
import json
import sys

port_file, state_file, request_log = sys.argv[1], sys.argv[2], sys.argv[3]


def state():
    try:
        with open(state_file) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def user(uid, login):
    return {
        "id": uid,
        "status": "ACTIVE",
        "created": "2025-01-10T09:00:00.000Z",
        "activated": "2025-01-10T09:05:00.000Z",
        "statusChanged": "2025-01-10T09:05:00.000Z",
        "lastLogin": "2026-11-01T08:00:00.000Z",
        "lastUpdated": "2025-01-10T09:05:00.000Z",
        "passwordChanged": "2025-01-10T09:05:00.000Z",
        "type": {"id": "oty1"},
        "profile": {"firstName": "X", "lastName": "Y", "login": login, "email": login},
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
    }


PUSH = {"id": "opf1", "factorType": "push", "provider": "OKTA", "status": "ACTIVE",
        "created": "2025-01-10T09:06:00.000Z"}
PROTECTION = {
    "required_pull_request_reviews": {"required_approving_review_count": 1,
                                      "dismiss_stale_reviews": True},
    "enforce_admins": {"enabled": True},
    "allow_force_pushes": {"enabled": False},
    "required_status_checks": {"strict": True, "contexts": ["ci"]},
}


def answer(path):
    s = state()
    if path == "/api/v1/users?limit=200":
        return 200, [user("00u1", "ana@acme.example"), user("00u2", "ben@acme.example")]
    if path.startswith("/api/v1/users?limit=200&filter="):
        return 200, []
    if path == "/api/v1/users/00u1/factors":
        return 200, [PUSH]
    if path == "/api/v1/users/00u2/factors":
        return 200, [] if s.get("okta_mfa_removed") else [dict(PUSH, id="opf2")]
    if path.startswith("/api/v1/logs"):
        return 200, []
    if path == "/orgs/acme/members?per_page=100":
        return 200, [{"login": "ana", "id": 1, "type": "User", "site_admin": False}]
    if path.startswith("/orgs/acme/members?"):
        return 200, []
    if path == "/orgs/acme/repos?type=all&per_page=100":
        return 200, [{"id": 10, "name": "api", "full_name": "acme/api", "default_branch": "main",
                      "archived": False, "private": True}]
    if path == "/repos/acme/api/branches/main/protection":
        if s.get("github_unprotected"):
            return 404, {"message": "Branch not protected"}
        return 200, PROTECTION
    if path.startswith("/repos/acme/api/pulls?"):
        return 200, []
    return 404, {"message": "Not Found"}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = answer(self.path)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with open(request_log, "a") as f:
            f.write("GET %s %d\n" % (self.path, status))

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(port_file + ".tmp", port_file)
server.serve_forever()
