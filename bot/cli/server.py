"""``porchbot serve`` and ``porchbot worker``."""

from __future__ import annotations

import gc
import logging
import signal
import threading

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on."),
              port: int = typer.Option(8080, help="Port to listen on."),
              workers: int | None = typer.Option(
                  None, help="Embedded worker threads (0: none). [default: PORCHBOT_WORKERS, 2]")) -> None:
        """Run the webhook server with an embedded worker."""
        import uvicorn

        from bot.config.settings import current_settings
        from bot.observability import logs
        from bot.queue.jobqueue import EmbeddedWorker
        from bot.web.app import create_app
        from bot.web.wiring import bot_queue

        logs.configure()
        log = logging.getLogger("porchbot.serve")
        settings = current_settings()
        for hint in settings.check_serve():
            log.warning("configure next: " + hint)
        from bot.config.policy import load_config

        load_config(settings.config_dir)  # refuse to start on a broken porchbot.yaml, not at the first job
        queue = bot_queue(settings)
        threads = settings.workers if workers is None else workers
        worker = EmbeddedWorker(queue, workers=threads) if threads > 0 else None
        if worker is not None:
            worker.start()
        log.info("serving", extra={"reason": f"http://{host}:{port} state={settings.state_dir}"})
        app = create_app(settings, queue)
        # The ~70k objects of start-up (FastAPI, pydantic, huey) never die: out of the collector's sight,
        # a full collection no longer stalls a webhook acknowledgement for ~100 ms.
        gc.freeze()
        try:
            uvicorn.run(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=10)
        finally:
            if worker is not None:
                worker.stop()

    @app.command()
    def worker(workers: int | None = typer.Option(None, help="Worker threads. [default: PORCHBOT_WORKERS, 2]"),
               metrics_port: int = typer.Option(0, help="Serve /metrics on this port (0: off)."),
               metrics_host: str = typer.Option("127.0.0.1", help="Address for --metrics-port.")) -> None:
        """Run queue workers only (scale-out: share PORCHBOT_REDIS_URL with the server)."""
        from bot.config.settings import current_settings
        from bot.observability import logs
        from bot.queue.jobqueue import EmbeddedWorker
        from bot.web.wiring import bot_queue

        logs.configure()
        settings = current_settings()
        queue = bot_queue(settings)
        embedded = EmbeddedWorker(queue, workers=settings.workers if workers is None else workers)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        embedded.start()
        if metrics_port:
            from bot.observability.metrics import start_metrics_server

            start_metrics_server(metrics_port, metrics_host)
        logging.getLogger("porchbot.worker").info("worker started")
        stop.wait()
        embedded.stop()  # graceful: finish the job in flight; unfinished rows are re-handed by the sweeper
