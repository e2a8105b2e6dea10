"""SMS command words and replies in Polish."""

WORDS = {
    "cb": ("ODDZWOŃ",),
    "connect": ("POŁĄCZ",),
    "reg": ("REJESTRUJ", "REJESTRACJA"),
    "unreg": ("WYREJESTRUJ",),
    "bal": ("SALDO", "STAN"),
    "help": ("POMOC",),
    "lang": ("JĘZYK",),
}

TEXTS = {
    "callback": "Oddzwaniamy teraz.",
    "callback_to": "Oddzwaniamy teraz, potem łączymy z {destination}.",
    "connect": "Łączymy {a} i {b}. Po zakończeniu rozmowy przyjdzie SMS z podsumowaniem.",
    "refused": "Niestety nie teraz: {reason}",
    "register_first": "Najpierw się zarejestruj: {reg} <konto> <PIN>",
    "registered": "Ten telefon ({number}) jest teraz zarejestrowany dla konta {account}.",
    "wrong_pin": "Błędne konto lub PIN.",
    "pin_locked": "Zbyt wiele błędnych PIN-ów: wpisywanie PIN-u jest zablokowane, spróbuj "
                  "później.",
    "unregistered": "Ten telefon ({number}) nie jest już zarejestrowany.",
    "not_registered": "Ten telefon nie jest zarejestrowany.",
    "balance": "Twoje saldo wynosi {amount} ({words}).",
    "invalid_number": "{number} nie jest numerem, na który można zadzwonić.",
    "emergency_number": "{number} to numer alarmowy: tędy nie można go wybrać. Zadzwoń pod "
                        "{number} z własnego telefonu.",
    "usage_connect": "Napisz {connect} <numer> <numer>.",
    "usage_reg": "Napisz {reg} <konto> <PIN>.",
    "help": "Polecenia: {cb} = oddzwoń. {cb} <numer> = oddzwoń, potem ten numer. {connect} "
            "<a> <b> = połącz dwa numery. {reg} <konto> <PIN> = zarejestruj ten telefon. "
            "{unreg} = wyrejestruj go. {bal} = saldo. {lang} <kod> = język. {help} = ta "
            "lista.",
    "too_late": "Twoja wiadomość przyszła za późno ({age} temu) i nie została wykonana. "
                "Wyślij ją ponownie.",
    "language_set": "Twój język to teraz: {language}.",
    "usage_lang": "Napisz {lang} <kod>, jeden z: {codes}.",
    "language_unknown": "{code} nie jest dostępnym językiem. Napisz {lang} <kod>, jeden z: "
                        "{codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Czas rozmowy {talk_time}, koszt {cost}.",
    "not_connected": "Nie połączono: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "numer jest na liście zablokowanych",
    "running": "dla tego numeru trwa już połączenie",
    "account_locked": "konto {name} jest zablokowane",
    "no_rate": "brak stawki za oddzwonienie na ten numer",
    "no_credit": "saldo konta {name} nie wystarcza na oddzwonienie",
    "unknown_callers": "na nieznane numery nie oddzwaniamy",
    "unknown_limit": "wyczerpany limit oddzwonień na ten nieznany numer w ostatniej godzinie "
                     "({given})",
    "not_dialled": "pod numer {number} nie można dzwonić",
    "unavailable": "w tej chwili to niemożliwe",
    "locked": "konto jest zablokowane: skontaktuj się z administratorem.",
    "phone_taken": "ten telefon jest zarejestrowany dla innego konta. Najpierw wyślij "
                   "{unreg}, potem zarejestruj się ponownie.",
    "account_is_locked": "konto jest zablokowane",
    "too_many_calls": "za dużo trwających połączeń dla tego konta",
    "no_rate_for": "brak stawki dla {number}",
    "not_enough_credit": "za mało środków",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "nie dzwoniono",
    "dialing": "wybieranie",
    "alerting": "dzwoni",
    "connected": "połączono",
    "ended": "zakończono",
    "busy": "zajęte",
    "no answer": "brak odpowiedzi",
    "rejected": "odrzucono",
    "failed": "nieudane",
    "no carrier": "połączenie przerwane",
    "network": "awaria sieci",
    "modem down": "modem niedostępny",
    "no free callback modem": "brak wolnej linii do oddzwonienia",
    "no free destination modem": "brak wolnej linii do rozmówcy",
}
