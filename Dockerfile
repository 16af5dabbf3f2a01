FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config config
COPY briefing briefing
COPY editorial editorial
RUN pip install .

COPY . .
# collectstatic needs settings that pass the production checks; these values exist only at build.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_hex(32))") \
    DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput

RUN useradd --create-home --uid 10001 briefing
USER briefing

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn config.wsgi"]
