#!/usr/bin/env python3
"""A local SMTP server for the e-mail notification test, independent of Assay's code.

Usage: smtp_receiver.py PORT_FILE LOG_FILE

Listens on 127.0.0.1 (a free port, written to PORT_FILE once listening) with aiosmtpd, and
appends every message it accepts to LOG_FILE as one JSON line: envelope sender, recipients,
subject, Message-ID and the plain-text body.
"""

import asyncio
import email
import email.policy
import json
import socket
import sys

from aiosmtpd.controller import Controller

port_file, log_file = sys.argv[1], sys.argv[2]


class Keep:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(log_file, "a") as f:
            f.write(json.dumps({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "subject": msg["subject"],
                "message_id": msg["message-id"],
                "body": msg.get_content(),
            }) + "\n")
        return "250 Message accepted for delivery"


s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
controller = Controller(Keep(), hostname="127.0.0.1", port=port)
controller.start()
with open(port_file + ".tmp", "w") as f:
    f.write(str(port))
import os
os.replace(port_file + ".tmp", port_file)
try:
    asyncio.run(asyncio.sleep(3600))
finally:
    controller.stop()
