"""SMS command words and replies in Italian."""

WORDS = {
    "cb": ("RICHIAMA", "RICHIAMAMI"),
    "connect": ("COLLEGA", "CONNETTI"),
    "reg": ("REGISTRA",),
    "unreg": ("CANCELLA",),
    "bal": ("CREDITO", "SALDO"),
    "help": ("AIUTO",),
    "lang": ("LINGUA",),
}

TEXTS = {
    "callback": "La richiamiamo subito.",
    "callback_to": "La richiamiamo subito, poi chiamiamo {destination}.",
    "connect": "Colleghiamo {a} e {b}. A fine chiamata riceverà un riepilogo via SMS.",
    "refused": "Spiacenti, non ora: {reason}",
    "register_first": "Prima si registri: {reg} <conto> <PIN>",
    "registered": "Questo telefono ({number}) è ora registrato per il conto {account}.",
    "wrong_pin": "Conto o PIN errato.",
    "pin_locked": "Troppi PIN errati: l'inserimento del PIN è bloccato, riprovi più tardi.",
    "unregistered": "Questo telefono ({number}) non è più registrato.",
    "not_registered": "Questo telefono non è registrato.",
    "balance": "Il suo credito è {amount} ({words}).",
    "invalid_number": "{number} non è un numero che si può chiamare.",
    "emergency_number": "{number} è un numero di emergenza: da qui non si può chiamare. Chiami "
                        "il {number} dal suo telefono.",
    "usage_connect": "Scriva {connect} <numero> <numero>.",
    "usage_reg": "Scriva {reg} <conto> <PIN>.",
    "help": "Comandi: {cb} = richiamami. {cb} <numero> = richiamami, poi quel numero. "
            "{connect} <a> <b> = collega due numeri. {reg} <conto> <PIN> = registra questo "
            "telefono. {unreg} = annulla la registrazione. {bal} = credito. {lang} <codice> "
            "= lingua. {help} = questo elenco.",
    "too_late": "Il suo messaggio è arrivato troppo tardi ({age} fa) e non è stato eseguito. "
                "Lo invii di nuovo.",
    "language_set": "La sua lingua ora è: {language}.",
    "usage_lang": "Scriva {lang} <codice>, uno tra: {codes}.",
    "language_unknown": "{code} non è una lingua disponibile. Scriva {lang} <codice>, uno "
                        "tra: {codes}.",
    "connect_summary": "{a}: {a_state}. {b}: {b_state}. Durata {talk_time}, costo {cost}.",
    "not_connected": "Non collegato: {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "il numero è nella lista dei bloccati",
    "running": "per questo numero è già in corso una chiamata",
    "account_locked": "il conto {name} è bloccato",
    "no_rate": "nessuna tariffa per richiamare questo numero",
    "no_credit": "il credito del conto {name} non basta per una richiamata",
    "unknown_callers": "i numeri sconosciuti non vengono richiamati",
    "unknown_limit": "raggiunto il limite di richiamate verso questo numero sconosciuto "
                     "nell'ultima ora ({given})",
    "not_dialled": "il numero {number} non si può chiamare",
    "unavailable": "al momento non è possibile",
    "locked": "il conto è bloccato: si rivolga all'amministratore.",
    "phone_taken": "questo telefono è registrato per un altro conto. Invii prima {unreg}, poi"
                   " si registri di nuovo.",
    "account_is_locked": "il conto è bloccato",
    "too_many_calls": "troppe chiamate in corso per questo conto",
    "no_rate_for": "nessuna tariffa per {number}",
    "not_enough_credit": "credito insufficiente",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "non chiamato",
    "dialing": "in composizione",
    "alerting": "squilla",
    "connected": "collegato",
    "ended": "terminato",
    "busy": "occupato",
    "no answer": "nessuna risposta",
    "rejected": "rifiutato",
    "failed": "non riuscito",
    "no carrier": "linea caduta",
    "network": "guasto di rete",
    "modem down": "modem fuori servizio",
    "no free callback modem": "nessuna linea libera per la richiamata",
    "no free destination modem": "nessuna linea libera verso il destinatario",
}
