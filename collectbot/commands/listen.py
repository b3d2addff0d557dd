"""`collectbot listen [--host H] [--port P] [--public-url URL]`: receive what Twilio and SendGrid
push (status callbacks, incoming messages, email events) and record it in the state. The
library side is `collectbot/listener.py`; sending stays with `run`."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from ..env import ConfigOpt, Env, JsonOpt, NowOpt, execute
from ..errors import ExitCode, UsageError
from ..listener import Listener, make_server
from ..state import check_state_file


def register(app: typer.Typer) -> None:
    @app.command()
    def listen(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8787,
        public_url: Annotated[str | None, typer.Option("--public-url", help="The URL Twilio calls (it signs that "
                                                       "URL); default http://HOST:PORT.")] = None,
        sendgrid_key_env: Annotated[str | None, typer.Option("--sendgrid-key-env", help="The variable holding "
                                                             "SendGrid's event webhook verification key.")] = None,
        config: ConfigOpt = None,
        now: NowOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        """Receive Twilio status callbacks and replies, SendGrid events and your shop's signed
        business events (POST /events, with listen.secret_env), and record them; `run` sends."""
        execute(config, now, json_out, lambda env: _listen(env, host, port, public_url, sendgrid_key_env), ctx)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _listen(env: Env, host: str, port: int, public_url: str | None, sendgrid_key_env: str | None) -> int:
    cfg = env.config()
    if not check_state_file(cfg.state_path):
        raise UsageError("there is no state file yet: run `collectbot run` first (there is nothing to record into)")
    twilio = [ch for ch in cfg.channels.values() if ch.provider == "twilio" and ch.enabled]
    token_var = (twilio[0].auth_token_env or "TWILIO_AUTH_TOKEN") if twilio else None
    token = os.environ.get(token_var) if token_var else None
    if twilio and not token:
        raise UsageError(f"Twilio signs what it sends with the account's auth token: set {token_var} (also when the "
                         "channels send with an API key), or requests from Twilio cannot be checked")
    sendgrid_key = os.environ.get(sendgrid_key_env) if sendgrid_key_env else None
    if sendgrid_key_env and not sendgrid_key:
        raise UsageError(f"--sendgrid-key-env {sendgrid_key_env}: that environment variable is not set")
    secret = os.environ.get(cfg.listen_secret_env) if cfg.listen_secret_env else None
    if cfg.listen_secret_env and not secret:
        raise UsageError(f"listen.secret_env names {cfg.listen_secret_env}, but that environment variable is not set "
                         "(it holds the secret that signs POST /events)")
    listener = Listener(cfg.state_path, public_url=public_url or f"http://{host}:{port}", twilio_token=token,
                        now=env.now, replies=cfg.replies, sendgrid_key=sendgrid_key, events_secret=secret,
                        config=cfg,
                        log=lambda line: env.err_console.print(line, highlight=False, markup=False))
    try:
        server = make_server(listener, host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop: the same clean end as Ctrl-C
    env.err_console.print(f"listening on http://{host}:{server.server_address[1]} (public URL {listener.public_url}); "
                          "POST /twilio/status, /twilio/inbound, /sendgrid/events"
                          + (", /events" if secret else "") + ". Ctrl-C stops.", highlight=False,
                          markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return ExitCode.OK
