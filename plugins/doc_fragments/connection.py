# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """The connection options every wolkvox module takes (plugins/module_utils/_client.py)."""

    DOCUMENTATION = r"""
options:
  server:
    description:
      - The wolkvox server of the operation.
      - For the contact center, the 4-digit server number that wolkvox support gives each customer
        (V(0042)), the same with its prefix (V(wv0042)), or a base URL
        (V(https://wv0042.wolkvox.com), or V(http://127.0.0.1:8080) for a simulator).
      - For the CRM, V(0001), V(crm0001), or a base URL. The legacy V(sv0001) and V(sv0001.crmvox.com)
        are rewritten to V(crm0001.wolkvox.com) with a deprecation warning.
      - Quote a server number in YAML, as in V('0042'); unquoted, it loses its leading zeros.
      - A base URL has no path, query or user name. Plain C(http://) is accepted with a warning
        unless the host is a loopback address.
      - If not set, the value of the E(WOLKVOX_SERVER) environment variable is used.
    type: str
    required: true
  token:
    description:
      - The API token of the operation. The token, not the server, tells the platform which operation
        the request is for.
      - It is never shown in results, messages, warnings or diffs, even when the platform repeats it.
      - If not set, the value of the E(WOLKVOX_TOKEN) environment variable is used.
    type: str
    required: true
  timeout:
    description:
      - Seconds a request may take as a whole (connecting, sending and the complete answer), from 1 to 3600. A
        server that trickles its answer is cut off at this limit. The platform itself stops a call after 60.
      - If not set, the value of the E(WOLKVOX_TIMEOUT) environment variable is used.
    type: int
    default: 60
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only set V(false) for a test server.
      - If not set, the value of the E(WOLKVOX_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to verify the server with, for example behind a TLS-inspecting proxy.
      - If not set, the value of the E(WOLKVOX_CA_PATH) environment variable is used.
    type: path
  retries:
    description:
      - How many times to retry a request that failed for a transient reason, from 0 to 10.
      - A read (C(GET)) is retried after maintenance answers (a 403 that names no other cause), HTTP 5xx answers,
        broken connections and timeouts, with exponential backoff and jitter.
      - A write (any other method) is retried only when the platform cannot have processed it (the connection was
        refused, or the platform refused it for concurrency or maintenance). A write whose outcome is unknown (a
        timeout, a connection lost after sending, an HTTP 5xx) is never sent again; the task fails with
        C(error_kind=outcome_unknown), or a resource module reads the resource back to learn what happened.
      - The platform's concurrency refusals (other controllers using the same token) are retried for up to 120
        seconds, or twice O(timeout), without spending O(retries); V(0) turns this off too.
      - An invalid token, a spent daily quota, a host name that does not exist and any other refusal are never
        retried.
      - Every attempt is a request that spends one use of the operation's daily quota.
    type: int
    default: 4
  max_concurrent_requests:
    description:
      - At most this many requests in flight per token from this machine, across all forks and tasks,
        from 1 to 16. The platform refuses a third simultaneous request on one token.
      - Slots are lock files named after a hash of the token, in a directory only this user can create,
        C($XDG_RUNTIME_DIR/wolkvox-limiter), else C(~/.ansible/wolkvox-limiter), else a per-user directory in
        the temporary directory. A directory another user created first is never used; with none usable, the
        modules still run (with a warning) and the platform's refusals are retried.
      - After the platform refused a request for concurrency, this machine's forks use a single slot of the token
        for 10 seconds, so that controllers sharing a token ask less often at once.
    type: int
    default: 2
notes:
  - A failed task returns C(msg) (what happened and what to do), C(api_calls) (the requests it sent) and C(error_kind),
    one of C(bad_option), C(bad_host), C(network), C(timeout), C(tls), C(redirect), C(limiter), C(invalid_token),
    C(missing_token), C(quota), C(concurrency), C(maintenance), C(server_error), C(unknown_api), C(missing_parameter),
    C(http), C(bad_answer), C(no_record), C(refused), C(conflict), C(outcome_unknown) or C(password_file). The
    troubleshooting guide says what each one means and what to do.
"""
