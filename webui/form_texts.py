"""What gateway, the number checks and the web's own handlers say about a form's values
and why a request was refused, as patterns of webui/gateway_texts.py (which translates
them when a page is rendered: the JSON API gives the same texts in English).

Each row is (the English with its values as named groups, its text for the catalogue).
"""
from __future__ import annotations

from webui.i18n import N_

FORM_TEXTS = (
    # form errors and refusals of gateway's actions (accounts, alerts)
    (r"a PIN is 4 to 8 digits", N_("a PIN is 4 to 8 digits")),
    (r"an opening balance is not negative", N_("an opening balance is not negative")),
    (r"an account name is 1 to 64 letters, digits, _ \. @ -, starting with a letter or digit",
     N_("an account name is 1 to 64 letters, digits, _ . @ -, starting with a letter or "
        "digit")),
    (r"an account named (?P<name>'.*') exists already",
     N_("an account named {name} exists already")),
    (r"no account named (?P<name>'.*')", N_("no account named {name}")),
    (r"a top-up adds money: the amount is above 0 \(a debit takes money, with a reason\)",
     N_("a top-up adds money: the amount is above 0 (a debit takes money, with a reason)")),
    (r"a debit takes money: the amount is above 0",
     N_("a debit takes money: the amount is above 0")),
    (r"a debit says why: give a reason", N_("a debit says why: give a reason")),
    (r"calls at once is a whole number from 1 to (?P<most>[0-9]+)",
     N_("calls at once is a whole number from 1 to {most}")),
    (r"no voice prompts in the language (?P<language>'.*'): the languages are "
     r"(?P<languages>[^()]*) \(or - for the box's default\)",
     N_("no voice prompts in the language {language}: the languages are {languages} (or - "
        "for the box's default)")),
    (r"no alert (?P<id>[0-9]+) on this box", N_("no alert {id} on this box")),
    # the holder's connect-two form (webui/holder/calls.py, modems/numbers.py) and why a
    # call is not started (gateway/calls/policy.py)
    (r"enter a phone number", N_("enter a phone number")),
    (r"not a phone number: (?P<reason>.+)", N_("not a phone number: {reason}")),
    (r"contains control characters", N_("contains control characters")),
    (r"a phone number has only digits and an optional leading \+",
     N_("a phone number has only digits and an optional leading +")),
    (r"too short: write it with its area code", N_("too short: write it with its area code")),
    (r"not a possible phone number", N_("not a possible phone number")),
    (r"a short or service number \(the box calls full phone numbers only\)",
     N_("a short or service number (the box calls full phone numbers only)")),
    (r"an emergency number: call it from your own phone; the box does not connect emergency "
     r"calls", N_("an emergency number: call it from your own phone; the box does not connect "
                  "emergency calls")),
    (r"leg B must be another number than leg A", N_("leg B must be another number than leg A")),
    (r"this box has no call service running", N_("this box has no call service running")),
    (r"the account is locked: ask the admin", N_("the account is locked: ask the admin")),
    (r"the account is locked", N_("the account is locked")),
    (r"the balance is used up: ask the admin for a top-up",
     N_("the balance is used up: ask the admin for a top-up")),
    (r"(?P<number>\+[0-9]+) may not be dialled", N_("{number} may not be dialled")),
    (r"too many calls running for this account \(at most (?P<most>[0-9]+) at once\): wait "
     r"until one ends", N_("too many calls running for this account (at most {most} at once): "
                           "wait until one ends")),
    (r"no rate for (?P<number>\+[0-9]+)", N_("no rate for {number}")),
    (r"not enough credit", N_("not enough credit")),
    (r"the box did not start the call \(is it shutting down\?\)",
     N_("the box did not start the call (is it shutting down?)")),
    # the holder's password, PIN and caller ID forms (gateway/users.py, gateway/actions/
    # users.py, webui/holder/callerids.py)
    (r"a password has at least (?P<least>[0-9]+) characters",
     N_("a password has at least {least} characters")),
    (r"a password has at most (?P<most>[0-9]+) characters",
     N_("a password has at most {most} characters")),
    (r"this is not your current password", N_("this is not your current password")),
    (r"(?P<number>\+[0-9]+) is already authorized for your account",
     N_("{number} is already authorized for your account")),
    (r"(?P<number>\+[0-9]+) is authorized for another account: it must be removed there "
     r"first \(ask the admin\)", N_("{number} is authorized for another account: it must be "
                                     "removed there first (ask the admin)")),
    (r"at most (?P<most>[0-9]+) codes an hour: try again later",
     N_("at most {most} codes an hour: try again later")),
    (r"the code is the 6 digits from the SMS", N_("the code is the 6 digits from the SMS")),
    (r"this code is no longer good: ask for a new one",
     N_("this code is no longer good: ask for a new one")),
    (r"this code has expired \(10 minutes\): ask for a new one",
     N_("this code has expired (10 minutes): ask for a new one")),
    (r"too many wrong codes: this one is void, ask for a new one",
     N_("too many wrong codes: this one is void, ask for a new one")),
    (r"wrong code: 1 more try", N_("wrong code: 1 more try")),
    (r"wrong code: (?P<left>[0-9]+) more tries", N_("wrong code: {left} more tries")),
    # the admin's account, top-up and debit forms (webui/admin/pages.py, accounts.py)
    (r"empty", N_("empty")),
    (r"a name has 1 to (?P<most>[0-9]+) characters", N_("a name has 1 to {most} characters")),
    (r"an account of that name exists already", N_("an account of that name exists already")),
    (r"enter an amount like 10 or 12\.50", N_("enter an amount like 10 or 12.50")),
    (r"that amount is too large", N_("that amount is too large")),
    (r"a top-up adds money: enter an amount above 0 \(to take money, use Debit on the "
     r"account's page, with a reason\)",
     N_("a top-up adds money: enter an amount above 0 (to take money, use Debit on the "
        "account's page, with a reason)")),
    (r"a debit takes money: enter an amount above 0",
     N_("a debit takes money: enter an amount above 0")),
    (r"a debit never takes more than the account has free \(its balance less what running "
     r"calls hold\)", N_("a debit never takes more than the account has free (its balance "
                         "less what running calls hold)")),
    (r"(?P<number>\+[0-9]+) is authorized for this account",
     N_("{number} is authorized for this account")),
    # the rates upload (webui/admin/rates.py, gateway/actions/rates.py, gateway/money/
    # billing.py); column names and values stay as written in the file
    (r"choose a CSV file", N_("choose a CSV file")),
    (r"the file is over (?P<mb>[0-9]+) MB", N_("the file is over {mb} MB")),
    (r"the file is not UTF-8 text \(byte (?P<byte>[0-9]+)\)",
     N_("the file is not UTF-8 text (byte {byte})")),
    (r"the file has no rates: nothing was stored", N_("the file has no rates: nothing was stored")),
    (r"(?P<count>[0-9]+) bad line\(s\): nothing was stored",
     N_("{count} bad line(s): nothing was stored")),
    (r"line (?P<line>[0-9]+): (?P<reason>.+)", N_("line {line}: {reason}")),
    (r"(?P<count>[0-9]+) columns, expected (?P<expected>[0-9]+): (?P<columns>\S+)",
     N_("{count} columns, expected {expected}: {columns}")),
    (r"prefix (?P<prefix>'.*') is not 1 to (?P<most>[0-9]+) digits",
     N_("prefix {prefix} is not 1 to {most} digits")),
    (r"description has control characters or is over 100 characters",
     N_("description has control characters or is over 100 characters")),
    (r"(?P<column>[a-z_]+) (?P<value>'.*') is not a number", N_("{column} {value} is not a number")),
    (r"(?P<column>[a-z_]+) (?P<value>'.*') must be zero or more",
     N_("{column} {value} must be zero or more")),
    (r"(?P<column>[a-z_]+) (?P<value>'.*') has more than (?P<digits>[0-9]+) decimals",
     N_("{column} {value} has more than {digits} decimals")),
    (r"(?P<column>[a-z_]+) (?P<value>'.*') is too large", N_("{column} {value} is too large")),
    (r"(?P<column>[a-z_]+) (?P<value>'.*') must be whole seconds from 1 to 3600",
     N_("{column} {value} must be whole seconds from 1 to 3600")),
    (r"not a CSV line: (?P<error>.+)", N_("not a CSV line: {error}")),
    # the calls page's filters (webui/admin/calls.py) and the AT console (modems/at_guard.py)
    (r"pick an account from the list", N_("pick an account from the list")),
    (r"enter a day like (?P<day>[0-9-]+)", N_("enter a day like {day}")),
    (r"pick a status from the list", N_("pick a status from the list")),
    (r"no account (?P<name>'.*')", N_("no account {name}")),
    (r"an AT command starts with AT", N_("an AT command starts with AT")),
)
