# Copyright: Contributors to the wolkvox.wolkvox collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# This module_utils is PRIVATE and for internal use only: its names may change without notice.

"""The contact center's API files and their APIs: the one table behind wolkvox_api's ``file`` choices,
the client's list of files and the endpoint catalogue page of the docs (docs/docsite/rst/guide_endpoints.rst,
rendered by tests/utils/catalogue-rst.py; a unit test keeps the two equal).

Each file has ``apis``: for each API its name, HTTP method, query parameters, body fields, whether a call
spends a use of the daily quota, and a note. A parameter that ends with ``?`` is optional. An API name with
``<n>`` stands for the numbered APIs of a kind (``agent_<n>``: agent_1, agent_2, ...). ``complete`` is False
where the list gives examples only: the vendor's Postman collection has about 300 requests, and wolkvox_api
calls any API name of a listed file.

This module imports nothing from the collection, so the client and the docs script can both load it.
"""

MAX_RECORDS = 60000  # records in one answer at most; an answer with this many is probably cut
DATES = ("date_ini", "date_end")  # YYYYmmddHHiiss, 31 days at most per call

# reports_manager.php serves numbered reports of these kinds: agent_1, cdr_1, quality_2, ...
REPORT_KINDS = ("agent", "cdr", "chat", "skill", "campaign", "diagram", "quality", "speech", "wizard", "act")


def _api(name, method, query=(), body=(), note="", dates=False, quota=None):
    """One API: ``dates`` is True when it takes date_ini and date_end; ``quota`` None is the file's rule."""
    return {"name": name, "method": method, "query": tuple(query), "body": tuple(body), "note": note,
            "dates": dates, "quota": quota}


def _file(name, title, apis, quota=True, complete=False, note=""):
    return {"name": name, "title": title, "apis": tuple(apis), "quota": quota, "complete": complete, "note": note}


def _reports():
    described = {
        "agent": "agent activity (agent_1: time and calls per agent)",
        "cdr": "call detail records (cdr_1: calls; cdr_3: SMS and WhatsApp sent)",
        "chat": "chats and digital interactions",
        "skill": "skills (queues)",
        "campaign": "campaigns",
        "diagram": "IVR diagrams",
        "quality": "quality evaluations (quality_2: by agent; quality_4: by attribute; quality_5: by analyst)",
        "speech": "speech analytics (speech_1: voice to text of calls)",
        "wizard": "Mr. Wizard, the agents' AI assistant (wizard_3: negative ratings)",
        "act": "activity codes (call classification)",
    }
    return [_api("%s_<n>" % kind, "GET", dates=True, note=described[kind]) for kind in REPORT_KINDS]


FILES = (
    _file("information", "The operation's configuration and resources, read", [
        _api("token_info", "GET", note="the token's daily budget; code \"200\", msg with a leading space"),
        _api("routing_points", "GET", ["routing?"], note="the routing points (one with routing)"),
        _api("get_ip", "GET", note="the allowed IPs"),
        _api("agents", "GET", ["agent?"], note="the agents; success code \"\""),
        _api("skills", "GET", ["skill?"]),
        _api("agents_in_skill", "GET", ["skill_id"]),
        _api("activity_codes", "GET", ["cod_act?"], note="success code \"0\""),
        _api("get_dnc", "GET", ["type"], note="do-not-call numbers; type: inbound, outbound or all"),
        _api("campaigns", "GET", ["campaign?"], note="success code \"\""),
        _api("services", "GET", note="licenses and services; data is an object, not a list"),
        _api("connectors", "GET", note="the digital channels' connectors"),
        _api("storage", "GET", note="disk space used by the audio files"),
        _api("audio_list", "GET", note="the audio files stored"),
    ]),
    _file("configuration", "Changes to the operation's configuration", [
        _api("enable_module", "PUT"),
        _api("disable_module", "PUT"),
        _api("add_ip", "POST", body=["ip", "permanent?", "description?"],
             note="body code 404 on HTTP 200: already registered (no change); 406: invalid IP"),
        _api("remove_ip", "DELETE", body=["ip"], note="body code 404 on HTTP 200: not registered (no change)"),
        _api("create_agent", "POST", body=["agent_dni", "agent_name", "agent_pass?", "agent_sso?"]),
        _api("edit_agent", "PUT", ["agent_id"], ["agent_dni?", "agent_name?", "agent_pass?", "agent_sso?"]),
        _api("enable_agent", "PUT", body=["agent_id"]),
        _api("disable_agent", "PUT", body=["agent_id"]),
        _api("create_skill", "POST", body=["skill_name", "description_skill?", "voicemail?", "welcome_message?", "vto?"]),
        _api("edit_skill", "PUT", ["skill_id"], ["skill_name?", "description_skill?", "voicemail?", "welcome_message?",
                                                 "vto?"]),
        _api("add_agents_skill", "POST", body=["skill_id", "agent_id", "expertise"]),
        _api("remove_agents_skill", "DELETE", body=["skill_id", "agent_id"]),
        _api("create_cod_act", "POST", body=["type_code", "cod_act", "description_cod_act", "hit?", "rpc?"]),
        _api("edit_cod_act", "PUT", body=["type_code", "cod_act", "description_cod_act?"]),
        _api("remove_cod_act", "DELETE", body=["type_code", "cod_act"]),
        _api("add_dnc", "POST", body=["type_call", "telephones"], note="10,000 telephones per call at most"),
        _api("remove_dnc", "DELETE", body=["type", "telephones"], note="10,000 telephones per call at most"),
        _api("upload_audio", "POST", note="an audio file (5 MB at most), sent as form data"),
        _api("speech_on_demand", "GET", ["conn_id", "agent_id"], dates=True,
             note="speech analytics and voice of the customer for one stereo call"),
    ]),
    _file("campaign", "Outbound campaigns", [
        _api("start", "PUT", ["campaign_id", "type_campaign?"]),
        _api("stop", "PUT", ["campaign_id", "type_campaign?"]),
        _api("speed", "PUT", ["campaign_id"], ["speed"]),
        _api("create_campaign", "POST", ["type_campaign"],
             ["campaign_name", "start_time", "end_time", "campaign_description?", "skill_id?"],
             note="type_campaign: predictive or preview; times as hhmmss"),
        _api("edit_campaign", "PUT", ["campaign_id"], ["campaign_name?", "start_time?", "end_time?", "skill_id?"],
             note="times as HH:mm:ss"),
        _api("delete_campaign", "DELETE", body=["campaign_ids"]),
        _api("detail", "GET", ["type_campaign", "campaign_id"], dates=True,
             note="the history of one campaign's records"),
    ]),
    _file("reports_manager", "Reports, by kind and number", _reports(), complete=True,
          note="Every report takes date_ini and date_end (31 days at most, 60,000 records per answer); a window "
               "with no rows answers HTTP 404 \"Validate dates entered\", which wolkvox_api returns as an empty "
               "list. split_range splits a longer range into windows."),
    _file("real_time", "Real-time views", [
        _api("agents", "GET", note="the agents' state now"),
        _api("campaigns", "GET", note="answers a bare JSON array, with no code nor msg"),
        _api("latency", "GET", note="the agents' network latency, jitter and packet loss"),
    ]),
    _file("billing", "Use of billed services in the current month", [
        _api("ivr_minutes", "GET"),
        _api("gamification", "GET", dates=True),
        _api("intelligent_dial", "GET"),
        _api("interactions", "GET"),
        _api("rec_screen_on_demand", "GET"),
        _api("rsync_s3_mp3", "GET"),
        _api("chat_licenses", "GET"),
        _api("interaction_licenses", "GET"),
        _api("amd_ai", "GET"),
        _api("stereo_rec", "GET"),
    ]),
    _file("agentbox", "Actions on an agent's softphone (wolkvox Agent)", [
        _api("dial", "POST", ["agent_id", "customer_phone", "customer_id?", "customer_name?"]),
        _api("hang", "POST", ["agent_id"]),
        _api("hold", "POST", ["agent_id"], note="toggles hold"),
        _api("mute", "POST", ["agent_id"], note="toggles the microphone"),
        _api("dtmf", "POST", ["agent_id", "tones"]),
        _api("change_status", "POST", ["agent_id", "status"], note="status: ready, logout or an auxiliary state's id"),
        _api("aux_call", "POST", ["agent_id", "customer_phone"], note="calls from predictive campaigns only"),
        _api("recall", "POST", ["agent_id", "customer_phone", "date", "type_recall"],
             note="date as YYYYmmddHHiiss; type_recall: auto or manual"),
    ], quota=False, note="Agent actions do not spend the daily quota; every other limit holds."),
    _file("whatsapp", "WhatsApp messages", [
        _api("send_message_mobil", "POST", body=["connector_id", "telephone", "message", "url_attach?"],
             note="WhatsApp mobile lines only"),
        _api("send_template_official", "POST", body=["connector_id", "telephone", "template_name", "template_vars?",
                                                     "customer_id?", "url_attach?"],
             note="approved (HSM) templates of a WhatsApp Business line"),
        _api("send_message_official", "POST", body=["connector_id", "telephone", "message"],
             note="within 24 hours of the customer's answer"),
        _api("sync_templates", "POST", body=["connector_id"], note="the connector's templates approved by Meta"),
    ]),
    _file("sms", "SMS messages", [
        _api("send_sms", "POST", body=["telephone", "message"]),
    ]),
    _file("speech_analytics", "Speech analytics", [
        _api("speech_calls", "GET", ["filter?", "value?"], dates=True,
             note="filter: id_call, id_agent, cod_act or speech_to_text"),
    ]),
    _file("wolkvox_storage", "Stored recordings and files", [],
          note="Not catalogued here: see the vendor's Postman collection for its API names."),
    _file("customer", "Customer records", [],
          note="Not catalogued here: see the vendor's Postman collection for its API names."),
    _file("gamification", "Gamification", [
        _api("agents_kpi", "GET", dates=True, note="points, hits, calls and times per agent"),
    ]),
    _file("quality", "Quality analyzer", [],
          note="Not catalogued here: see the vendor's Postman collection for its API names; the quality reports "
               "are reports_manager's quality_<n>."),
)

CATALOGUE = dict((entry["name"], entry) for entry in FILES)

# wolkvox_api's ``file`` choices and the client's list of files: https://wv<server>.wolkvox.com/api/v2/<file>.php
CONTACT_CENTER_FILES = tuple(entry["name"] for entry in FILES)


def _matches(pattern, api):
    if "<n>" not in pattern:
        return pattern == api
    prefix = pattern.split("<n>")[0]
    return api.startswith(prefix) and api[len(prefix):].isdigit()


def lookup(file, api):
    """The catalogue's entry for ``file``.php?api=``api``, or None when the catalogue does not list it."""
    entry = CATALOGUE.get(file)
    for item in entry["apis"] if entry else ():
        if _matches(item["name"], api):
            return item
    return None


def is_report(file, api):
    """Whether ``file``.php?api=``api`` is one of the numbered reports of reports_manager.php."""
    return file == "reports_manager" and lookup(file, api) is not None


def spends_quota(file, api):
    """Whether a call to ``file``.php?api=``api`` spends a use of the operation's daily quota."""
    item = lookup(file, api)
    if item is not None and item["quota"] is not None:
        return item["quota"]
    entry = CATALOGUE.get(file)
    return entry["quota"] if entry else True
