#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for newswatch's integration tests.

Driven by tests/it/support/smtp.rs. Needs Debian's python3-aiosmtpd.

    smtp_server.py --dir DIR [--port N] [--auth USER:PASSWORD]
                   [--tls starttls|wrapper --cert PEM --key PEM]

* prints the bound port as the first stdout line, then serves until killed;
* stores each accepted message as DIR/msgs/NNNNNNNN.json (written to a temp
  file then renamed), numbering continuing after any files already there:
  {"mail_from": str, "rcpt_tos": [str], "data": str, "auth_user": str|null,
   "tls": str|null}  ("tls": the TLS version the message came over, if any);
  ("data" is the raw message, decoded as UTF-8 with surrogateescape);
* fault injection, checked on every transaction when the DATA is complete:
    DIR/slow    sleep that many seconds (float) before answering DATA; if the
                client hangs up meanwhile, the message is NOT stored;
    DIR/refuse  answer "451 4.3.0 try again later" (or the file's content);
    DIR/reject  answer "550 5.7.1 rejected" (or the file's content);
  a refused/rejected message is not stored;
* appends every command line it receives to DIR/commands.log, one line each:
  the verb (upper case), for AUTH also the mechanism, then " tls" if the
  connection was encrypted when the line arrived, else " plain" -- never an
  argument, so no secret is written (e.g. "EHLO plain", "AUTH PLAIN tls");
  lines of a message body and AUTH LOGIN's answers are not commands;
* with --auth, advertises and accepts AUTH PLAIN / LOGIN (no TLS needed) for
  that user:password only; without it, AUTH is not offered;
* with --tls starttls, offers STARTTLS and refuses MAIL before it; with
  --tls wrapper, speaks TLS from the first byte (smtps); either way with
  the given certificate chain and key;
* logs to stderr only.
"""

import argparse
import asyncio
import json
import logging
import os
import re
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

log = logging.getLogger("smtp_server")

DEFAULT_REFUSE = "451 4.3.0 try again later"
DEFAULT_REJECT = "550 5.7.1 rejected"


def read_flag(path):
    """The stripped content of a flag file, "" if empty, None if absent."""
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def reply_text(content, default, code_class):
    """The file's content as SMTP reply, or the default. A bare text gets the
    default's code prepended so the reply stays a valid SMTP response."""
    if not content:
        return default
    first = content.splitlines()[0].strip()
    if re.match(r"^[245]\d\d[ -]", first) and first[0] == code_class:
        return first
    return default.split(" ", 2)[0] + " " + first


class Handler:
    def __init__(self, directory):
        self.dir = directory
        self.msgs = os.path.join(directory, "msgs")
        os.makedirs(self.msgs, exist_ok=True)
        self.seq = 0
        for name in os.listdir(self.msgs):
            m = re.match(r"^(\d+)\.json$", name)
            if m:
                self.seq = max(self.seq, int(m.group(1)))

    async def handle_DATA(self, server, session, envelope):
        slow = read_flag(os.path.join(self.dir, "slow"))
        if slow:
            try:
                secs = float(slow)
            except ValueError:
                secs = 0.0
            log.info("slow: sleeping %.1fs before answering DATA", secs)
            # If the client hangs up, aiosmtpd cancels this coroutine: the
            # message is then never stored.
            await asyncio.sleep(secs)

        refuse = read_flag(os.path.join(self.dir, "refuse"))
        if refuse is not None:
            reply = reply_text(refuse, DEFAULT_REFUSE, "4")
            log.info("refuse: %s", reply)
            return reply
        reject = read_flag(os.path.join(self.dir, "reject"))
        if reject is not None:
            reply = reply_text(reject, DEFAULT_REJECT, "5")
            log.info("reject: %s", reply)
            return reply

        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            data = content
        else:
            data = content.decode("utf-8", errors="surrogateescape")
        auth_user = None
        auth = getattr(session, "auth_data", None)
        if isinstance(auth, LoginPassword):
            auth_user = auth.login.decode("utf-8", errors="replace")
        ssl_object = server.transport.get_extra_info("ssl_object") if server.transport else None
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": data,
            "auth_user": auth_user,
            "tls": ssl_object.version() if ssl_object is not None else None,
        }
        self.seq += 1
        name = "%08d.json" % self.seq
        tmp = os.path.join(self.msgs, "." + name + ".tmp")
        # surrogateescape'd bytes cannot be UTF-8 encoded: keep them as \udcXX
        # escapes (ensure_ascii) so the file is always valid JSON.
        with open(tmp, "w", encoding="ascii") as f:
            json.dump(record, f, ensure_ascii=True)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.msgs, name))
        log.info("stored %s from %s to %s", name, envelope.mail_from, envelope.rcpt_tos)
        return "250 2.0.0 OK queued as %d" % self.seq


class RecordingSMTP(SMTP):
    """SMTP that writes each command line's verb to DIR/commands.log as it
    arrives, before aiosmtpd looks at it (so a command it refuses, e.g. AUTH
    before STARTTLS, is recorded too)."""

    def __init__(self, handler, directory, **kwargs):
        super().__init__(handler, **kwargs)
        self._commands_log = os.path.join(directory, "commands.log")

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        read_command = reader.readuntil

        async def readuntil(*args, **kwargs):
            line = await read_command(*args, **kwargs)
            # The command loop reads with the default separator; DATA reads
            # message lines with an explicit b"\r\n".
            if not args and not kwargs:
                self._record(line)
            return line

        reader.readuntil = readuntil

    def _record(self, line):
        words = line.decode("ascii", errors="replace").split()
        if not words:
            return
        verb = words[0].upper()
        if verb == "AUTH" and len(words) > 1:
            verb += " " + words[1].upper()
        # After STARTTLS, or on an smtps (wrapper) connection from the start.
        wrapped = self.transport is not None and self.transport.get_extra_info("ssl_object")
        state = "tls" if self._tls_protocol is not None or wrapped else "plain"
        with open(self._commands_log, "a", encoding="utf-8") as f:
            f.write("%s %s\n" % (verb, state))


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        log.info("AUTH %s for %r: %s", mechanism,
                 getattr(auth_data, "login", None), "ok" if ok else "failed")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--auth", default=None, help="user:password")
    ap.add_argument("--tls", choices=["starttls", "wrapper"], default=None)
    ap.add_argument("--cert", default=None, help="PEM certificate chain")
    ap.add_argument("--key", default=None, help="PEM private key")
    args = ap.parse_args()
    tls_context = None
    if args.tls is not None:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    handler = Handler(args.dir)
    kwargs = {"hostname": "smtp.test", "ident": "newswatch-test-smtp"}
    if args.auth is not None:
        user, _, password = args.auth.partition(":")
        kwargs.update(
            auth_require_tls=False,
            authenticator=make_authenticator(user, password),
        )

    if args.tls == "starttls":
        kwargs.update(tls_context=tls_context, require_starttls=True)

    loop = asyncio.get_running_loop()
    # asyncio sets SO_REUSEADDR on POSIX by default (reuse_address=None means
    # True there); pass it explicitly so a restart on a port with connections
    # in TIME_WAIT binds fine.
    server = await loop.create_server(
        lambda: RecordingSMTP(handler, args.dir, **kwargs),
        host="127.0.0.1",
        port=args.port,
        reuse_address=True,
        ssl=tls_context if args.tls == "wrapper" else None,
    )
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    log.info("listening on 127.0.0.1:%d, dir %s, auth %s, tls %s",
             port, args.dir, "on" if args.auth is not None else "off", args.tls)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
