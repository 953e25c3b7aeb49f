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
      - Seconds to wait for each request, from 1 to 3600. The platform itself stops a call after 60.
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
      - Retried are the platform's concurrency refusal, maintenance answers (a 403 that names no other cause),
        HTTP 5xx answers, broken connections and timeouts, with exponential backoff and jitter.
      - An invalid token, a spent daily quota and any other refusal are never retried.
      - Every attempt is a request that spends one use of the operation's daily quota.
    type: int
    default: 4
  max_concurrent_requests:
    description:
      - At most this many requests in flight per token from this machine, across all forks and tasks,
        from 1 to 16. The platform refuses a third simultaneous request on one token.
      - Slots are lock files in a private temporary directory named after a hash of the token.
    type: int
    default: 2
"""
