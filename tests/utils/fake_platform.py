# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake platform client for the unit tests of the logic files: it answers ``contact_center()`` calls the way the
platform does, each API from its own function, and records every call it receives.

An answer function takes ``(query, body)`` and returns ``(status, envelope)``; a status that is an exception is
raised instead, as the real client raises a WolkvoxError. ``listing``, ``answer`` and ``failure`` build the usual
ones.
"""

import copy

from ansible_collections.wolkvox.wolkvox.plugins.module_utils._client import Answer


class FakeClient:
    """Answers ``contact_center()`` from ``answers`` (an API's name -> its answer function); ``calls`` holds each
    call as (method, api, query, body), ``warnings`` each warning the logic gave."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls = []
        self.warnings = []

    def warn(self, msg):
        self.warnings.append(msg)

    def contact_center(self, file, api, method="GET", query=None, body=None, allow_not_found=False):
        self.calls.append((method, api, query, copy.deepcopy(body)))
        if api not in self.answers:
            raise AssertionError("the logic called %s %s, which this test's platform does not answer" % (method, api))
        status, envelope = self.answers[api](query, body)
        if isinstance(status, Exception):
            raise status
        return Answer(status, envelope, 1)

    def apis(self):
        """The APIs called, in order."""
        return [call[1] for call in self.calls]


def listing(rows, code="200"):
    """A read's answer: ``rows`` under ``data``, with the platform's record count in ``msg``."""
    return lambda query, body: (200, {"code": code, "msg": " %d records were found" % len(rows), "data": rows})


def answer(code, msg="", data=None, status=200):
    """A fixed answer: the envelope's ``code``, ``msg`` and ``data`` with the HTTP ``status``."""
    return lambda query, body: (status, {"code": code, "msg": msg, "data": data})


def failure(error):
    """An answer that raises ``error`` (a WolkvoxError), as the client does when a request fails."""
    return lambda query, body: (error, None)
