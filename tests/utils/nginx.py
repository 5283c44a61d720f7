"""nginx in front of Streamlit replicas, as README's "Running several replicas" describes: the set-up of
tests/e2e/test_replicas.py (sticky by client address) and of bench_ws --replicas (least connections:
every simulated person comes from 127.0.0.1, and a websocket stays on the replica it opened on)."""
import os
import shutil
import subprocess
from pathlib import Path

from tests.e2e.conftest import free_port, stop, wait_healthy

STICKY = "ip_hash;  # sticky: a client keeps its replica (Streamlit sessions live in its memory)"
LEAST_CONNECTIONS = "least_conn;"

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
{user}
events {{ worker_connections 4096; }}
http {{
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  upstream academy {{
    {balance}
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://academy;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 86400;
    }}
    location = /healthz {{ proxy_pass http://academy/_stcore/health; }}
  }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def start_nginx(nginx: str, directory: Path, ports: list[int], balance: str = STICKY
                ) -> tuple[subprocess.Popen, str]:
    """nginx on a free loopback port in front of `ports`; its process and URL (raises when it does not come up)."""
    proxy_port = free_port()
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=directory, servers=servers, balance=balance, port=proxy_port,
                                      user="user root;" if os.geteuid() == 0 else ""))
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(directory), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if not wait_healthy(f"http://127.0.0.1:{proxy_port}/healthz", 20):
        stop(proxy)
        error_log = directory / "nginx-error.log"
        raise RuntimeError("nginx did not come up: " + (error_log.read_text()[-2000:] if error_log.exists() else ""))
    return proxy, f"http://127.0.0.1:{proxy_port}"
