"""gunicorn settings: `gunicorn config.wsgi` reads this file from the working directory.

Every value can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

from config.settings import env, envint, web_workers

wsgi_app = "config.wsgi:application"
port = envint("PORT", 8000, minimum=1)
bind = [f"0.0.0.0:{port}"]
# 2 × CPUs + 1; WEB_CONCURRENCY sets it explicitly (for example to keep the PostgreSQL
# connection count in check: each worker holds one connection).
workers = web_workers()
# A request slower than this is a bug or a stuck database; the worker is replaced. The
# database connect timeout (DJANGO_DB_CONNECT_TIMEOUT) is shorter, so an outage answers
# with the 503 page first.
timeout = envint("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = envint("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5
# Replace workers now and then, with jitter so that they do not all restart together.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory: a container's overlay disk can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# One line per request on stdout, errors on stderr: both end up in `docker compose logs`.
accesslog = "-"
errorlog = "-"
loglevel = env("GUNICORN_LOG_LEVEL", "info")
# The client address as the proxy saw it, the request, status, size, time in ms, referrer
# and user agent.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
# Addresses of the proxies allowed to set X-Forwarded-Proto / X-Forwarded-For.
forwarded_allow_ips = env("FORWARDED_ALLOW_IPS", "127.0.0.1")
