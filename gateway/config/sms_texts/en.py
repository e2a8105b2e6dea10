"""The call side's reasons for a refusal in English, as gateway/calls/policy.py,
gateway/calls/by_sms.py and a connect two give them, and the connect two's leg states
(the other languages' modules translate each)."""

# name -> the English reason; gateway/sms/wording.py `reason_text` finds a refusal here by
# its whole text, the values in braces kept, and gives the sender's language's own
REASONS = {
    "blocklist": "the number is on the blocklist",
    "running": "a session for this number is running",
    "account_locked": "account {name} is locked",
    "no_rate": "no rate for calling this number back",
    "no_credit": "the balance of account {name} does not cover a callback",
    "unknown_callers": "unknown callers get no callback (callback_unknown_callers = false)",
    "unknown_limit": "{given} callbacks to this unknown number in the last hour",
    "not_dialled": "{number} may not be dialled",
    "unavailable": "the box cannot do that right now",
    "locked": "the account is locked: ask the admin.",
    "phone_taken": "this phone is registered for another account. Send {unreg} first, then "
                   "register again.",
    # a connect two refused (gateway/calls/flows/connect_two.py), in its summary SMS
    "account_is_locked": "the account is locked",
    "too_many_calls": "too many calls running for this account",
    "no_rate_for": "no rate for {number}",
    "not_enough_credit": "not enough credit",
}

# How a leg of a connect two ended, as the summary SMS says it ({a_state} of
# [sms.replies] connect_summary): the states of gateway/calls/flows/session.py, the causes
# of modems.events.EndCause, and NoFreeModem's words. A state not here stays as it is.
STATES = {
    "not called": "not called",
    "dialing": "dialing",
    "alerting": "alerting",
    "connected": "connected",
    "ended": "ended",
    "busy": "busy",
    "no answer": "no answer",
    "rejected": "rejected",
    "failed": "failed",
    "no carrier": "no carrier",
    "network": "network",
    "modem down": "modem down",
    "no free callback modem": "no free callback modem",
    "no free destination modem": "no free destination modem",
}
