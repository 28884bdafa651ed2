# Gunicorn reads this file when it starts in the folder that holds it
# (or with: gunicorn --config gunicorn.conf.py app:app).
import os

# All interfaces: the container's port is published to the host or the proxy.
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# One process per core is a start; the platform sets WEB_CONCURRENCY to tune it.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# A worker that does not answer within 30 s is killed and replaced.
timeout = 30

# Believe X-Forwarded-* only from the reverse proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "10.0.0.2")

accesslog = "-"
