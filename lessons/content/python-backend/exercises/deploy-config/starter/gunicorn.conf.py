# Gunicorn reads this file when it starts in the folder that holds it
# (or with: gunicorn --config gunicorn.conf.py app:app).

bind = "127.0.0.1:8000"
workers = 16
timeout = 0
forwarded_allow_ips = "*"
