# ZoneHR production image: gunicorn on :8000. The same image runs the Celery
# worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

# PYTHONPATH: run the code from /app, where templates, static files and
# translations live, not from the copy `pip install .` puts in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# CJK fonts so exported sheets and PDFs show Chinese names; gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .

# The throwaway key only lets the settings load for these build steps; a
# running container gets its own from the environment or refuses to start.
RUN pip install . \
    && export SECRET_KEY=build-only-not-secret DEBUG=false \
    && python manage.py compilemessages -v 0 \
    && python manage.py collectstatic --no-input -v 0

# The app user may write uploads and the beat schedule under var/, not the code or the collected static files.
RUN groupadd --system zonehr \
    && useradd --system --gid zonehr --home-dir /app --shell /usr/sbin/nologin zonehr \
    && mkdir -p /app/var/media \
    && chown zonehr:zonehr /app/var /app/var/media
USER zonehr

EXPOSE 8000
CMD ["gunicorn", "zonehr.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
