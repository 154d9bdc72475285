"""Run the demo's processes together: web server, task worker and scheduler. Ctrl-C stops all of them.

Used by `make run`. Production runs each process under systemd (see docs/operations.md) instead.
"""

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable
ADDRESS = os.environ.get("TOKI_RUN_ADDRESS", "127.0.0.1:8000")


def site_url(address: str) -> str:
    """The base of the links the demo sends out (CAP feed, LINE, the 軽量版) for runserver's address: "8080",
    "127.0.0.1:8080" or "[::1]:8080". A server on every interface (0.0.0.0, ::) is linked as 127.0.0.1: which of the
    machine's addresses a reader uses is unknown here, so set SITE_URL for that (README)."""
    host, _, port = address.rpartition(":")
    if not host or host in ("0.0.0.0", "[::]", "::"):  # noqa: S104 - compared, not bound
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def child_environment(environ) -> dict[str, str]:
    """The environment of the demo's processes: links sent out follow TOKI_RUN_ADDRESS (not the default port
    8000), unless SITE_URL was set by hand."""
    address = environ.get("TOKI_RUN_ADDRESS", "127.0.0.1:8000")
    return {**environ, "SITE_URL": environ.get("SITE_URL") or site_url(address)}

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"],
    "worker": [PYTHON, "manage.py", "run_worker"],
    "scheduler": [PYTHON, "manage.py", "run_scheduler"],
    # Its own process at the lowest CPU priority, as in production (deploy/systemd/toki-rides-optimiser.service).
    "rides-optimiser": [PYTHON, "manage.py", "rides_reoptimise", "--loop", "--interval", "60"],
}
# Reading the real JMA feeds is opt-in for the demo: the first start downloads several days of telegrams from
# the long feeds, which a laptop demo (often offline) should not do unasked. Production runs poll_jma under
# systemd (deploy/systemd/toki-poll-jma.service).
if os.environ.get("TOKI_RUN_POLL_JMA") == "1":
    PROCESSES["jma-poller"] = [PYTHON, "manage.py", "poll_jma", "--loop"]


def banner() -> str:
    from toki.community.world import JICHIKAI
    from toki.demo.hq import AIKAWA_REPORTER
    from toki.demo.kpi import OWNER as KPI_OWNER
    from toki.demo.management.commands.seed_demo import DEMO_PASSWORD
    from toki.demo.personas import PERSONAS

    leaders = [(leader, name) for _jichikai, _district, _han, leader, name in JICHIKAI]
    people = [(p.username, p.display_name) for p in PERSONAS] + [AIKAWA_REPORTER, KPI_OWNER[:2], *leaders]
    logins = "\n".join(f"    {username:<6} {name}" for username, name in people)
    return (
        f"\nToki (Sado demo) on http://{ADDRESS}/   staff login: http://{ADDRESS}/accounts/login/\n"
        f"  Links sent out (CAP feed, LINE, 軽量版) start with SITE_URL={os.environ['SITE_URL']}\n"
        f"  Demo logins (password: {DEMO_PASSWORD}):\n{logins}\n"
        f"  Running: {', '.join(PROCESSES)}. Ctrl-C stops them all.\n"
        + ("" if "jma-poller" in PROCESSES else "  (JMA feeds not read: TOKI_RUN_POLL_JMA=1 make run reads them.)\n")
    )


def stop_all(children: dict) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


def _stop_on_sigterm(*_):
    # SIGTERM (systemd, `timeout`, kill) must stop the children too, as Ctrl-C does.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    os.environ.update(child_environment(os.environ))  # this process's settings and its children's
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toki.settings")
    import django

    django.setup()
    children = {name: subprocess.Popen(cmd) for name, cmd in PROCESSES.items()}
    print(banner(), flush=True)
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the others", file=sys.stderr)
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all(children)


if __name__ == "__main__":
    sys.exit(main())
