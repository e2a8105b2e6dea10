"""SMS command words and replies in German."""

WORDS = {
    "cb": ("RÜCKRUF", "RUECKRUF", "ANRUF"),
    "connect": ("VERBINDEN",),
    "reg": ("ANMELDEN",),
    "unreg": ("ABMELDEN",),
    "bal": ("GUTHABEN", "KONTO"),
    "help": ("HILFE",),
    "lang": ("SPRACHE",),
}

TEXTS = {
    "callback": "Wir rufen Sie jetzt zurück.",
    "callback_to": "Wir rufen Sie jetzt zurück, dann {destination}.",
    "connect": "Wir verbinden {a} und {b}. Nach dem Gespräch kommt eine Zusammenfassung "
               "per SMS.",
    "refused": "Leider nicht möglich: {reason}",
    "register_first": "Bitte zuerst anmelden: {reg} <Konto> <PIN>",
    "registered": "Dieses Telefon ({number}) ist jetzt für das Konto {account} angemeldet.",
    "wrong_pin": "Falsches Konto oder falsche PIN.",
    "pin_locked": "Zu viele falsche PINs: die PIN-Eingabe ist gesperrt, bitte versuchen Sie "
                  "es später.",
    "unregistered": "Dieses Telefon ({number}) ist nicht mehr angemeldet.",
    "not_registered": "Dieses Telefon ist nicht angemeldet.",
    "balance": "Ihr Guthaben beträgt {amount} ({words}).",
    "invalid_number": "{number} ist keine Nummer, die die Box anrufen kann.",
    "emergency_number": "{number} ist eine Notrufnummer: Die Box ruft sie nicht an. Wählen Sie "
                        "{number} von Ihrem eigenen Telefon.",
    "usage_connect": "Schreiben Sie {connect} <Nummer> <Nummer>.",
    "usage_reg": "Schreiben Sie {reg} <Konto> <PIN>.",
    "help": "Befehle: {cb} = Rückruf. {cb} <Nummer> = Rückruf, dann diese Nummer. {connect} "
            "<a> <b> = zwei Nummern verbinden. {reg} <Konto> <PIN> = dieses Telefon anmelden. "
            "{unreg} = abmelden. {bal} = Guthaben. {lang} <Code> = Sprache. {help} = diese "
            "Liste.",
    "too_late": "Ihre Nachricht kam zu spät ({age} alt) und wurde nicht ausgeführt. Bitte "
                "senden Sie sie noch einmal.",
    "language_set": "Ihre Sprache ist jetzt {language}.",
    "usage_lang": "Schreiben Sie {lang} <Code>, einen von: {codes}.",
    "language_unknown": "{code} ist keine Sprache der Box. Schreiben Sie {lang} <Code>, einen "
                        "von: {codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Gesprächszeit {talk_time}, Kosten {cost}.",
    "not_connected": "Nicht verbunden: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "die Nummer steht auf der Sperrliste",
    "running": "für diese Nummer läuft schon ein Anruf",
    "account_locked": "das Konto {name} ist gesperrt",
    "no_rate": "für einen Rückruf an diese Nummer gibt es keinen Tarif",
    "no_credit": "das Guthaben des Kontos {name} reicht nicht für einen Rückruf",
    "unknown_callers": "unbekannte Anrufer werden nicht zurückgerufen",
    "unknown_limit": "{given} Rückrufe an diese unbekannte Nummer in der letzten Stunde",
    "not_dialled": "{number} darf nicht angerufen werden",
    "unavailable": "die Box kann das gerade nicht tun",
    "locked": "das Konto ist gesperrt: bitte wenden Sie sich an den Administrator.",
    "phone_taken": "dieses Telefon ist für ein anderes Konto angemeldet. Senden Sie zuerst "
                   "{unreg}, dann melden Sie es neu an.",
    "account_is_locked": "das Konto ist gesperrt",
    "too_many_calls": "für dieses Konto laufen zu viele Anrufe",
    "no_rate_for": "für {number} gibt es keinen Tarif",
    "not_enough_credit": "das Guthaben reicht nicht",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "nicht angerufen",
    "dialing": "wird gewählt",
    "alerting": "klingelt",
    "connected": "verbunden",
    "ended": "beendet",
    "busy": "besetzt",
    "no answer": "keine Antwort",
    "rejected": "abgewiesen",
    "failed": "fehlgeschlagen",
    "no carrier": "Verbindung abgebrochen",
    "network": "Netzstörung",
    "modem down": "Modem ausgefallen",
    "no free callback modem": "keine freie Leitung für den Rückruf",
    "no free destination modem": "keine freie Leitung zum Ziel",
}
