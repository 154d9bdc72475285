"""See tests_faults/settings.py."""

import os
import signal

from django.db import connection


class KillAfterCommitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get("X-Fault") == "kill-after-commit":
            run_hooks = connection.run_and_clear_commit_hooks

            def die_after_commit():
                # Django calls this right after COMMIT; the hooks registered by the action are about to run.
                if connection.run_on_commit:
                    os.kill(os.getpid(), signal.SIGKILL)
                run_hooks()

            connection.run_and_clear_commit_hooks = die_after_commit  # this thread's connection only
            try:
                return self.get_response(request)
            finally:
                del connection.run_and_clear_commit_hooks
        return self.get_response(request)
