# The one image of docker-compose.yml: web (gunicorn), worker and beat (Celery) run it with different commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

WORKDIR /app

# The credit reports' PDF (WeasyPrint): Pango, HarfBuzz's subsetter and the Noto CJK fonts, from Debian.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them. pyproject.toml pins every version and declares no
# package of its own (the apps run from /app); psycopg2-binary, argon2-cffi and cryptography come as wheels.
COPY pyproject.toml ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .

# Static files are collected at build time with throwaway keys: production settings (and whitenoise's manifest)
# are needed to collect, but no secret is baked into the image.
RUN DJANGO_ENV=production \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    PERSONAL_DATA_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin govcredit \
    && mkdir -p /app/var/media \
    && chown -R govcredit:govcredit /app/var
USER govcredit

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
