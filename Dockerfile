# The production image: gunicorn serving the site, static files collected at build time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY config config
COPY briefing briefing
COPY editorial editorial
COPY newsletter newsletter
RUN pip install .

# .dockerignore keeps the benchmark tools (bench/), the tests and the CI scripts out of the image.
COPY . .
# collectstatic needs settings that pass the production checks; these values exist only at build.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 briefing
USER briefing

ENV DJANGO_DEBUG=0 PORT=8000 LOAD_DEMO_ISSUE=0
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['PORT'], timeout=2)"
# The deployment checks (an error, such as an http SITE_URL or several workers without Redis,
# stops the container), migrations, then (LOAD_DEMO_ISSUE=1) the demo issue into an empty
# database, then gunicorn with gunicorn.conf.py; exec so that gunicorn gets the stop signal.
CMD ["sh", "-c", "python manage.py check --deploy --fail-level ERROR && python manage.py migrate --noinput && if [ \"$LOAD_DEMO_ISSUE\" = 1 ]; then python manage.py load_demo_issue; fi && exec gunicorn config.wsgi"]
