"""The call side's reasons for a refusal in English, as gateway/calls/policy.py and
gateway/calls/by_sms.py give them (the other languages' modules translate each)."""

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
}
