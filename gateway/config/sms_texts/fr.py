"""SMS command words and replies in French."""

WORDS = {
    "cb": ("RAPPEL", "RAPPELER"),
    "connect": ("RELIER", "CONNECTER"),
    "reg": ("INSCRIRE", "ENREGISTRER"),
    "unreg": ("DÉSINSCRIRE",),
    "bal": ("SOLDE",),
    "help": ("AIDE",),
    "lang": ("LANGUE",),
}

TEXTS = {
    "callback": "Nous vous rappelons maintenant.",
    "callback_to": "Nous vous rappelons maintenant, puis {destination}.",
    "connect": "Mise en relation de {a} et {b}. Un résumé suivra par SMS à la fin de l'appel.",
    "refused": "Désolé, pas maintenant : {reason}",
    "register_first": "Inscrivez-vous d'abord : {reg} <compte> <PIN>",
    "registered": "Ce téléphone ({number}) est maintenant inscrit pour le compte {account}.",
    "wrong_pin": "Compte ou code PIN erroné.",
    "pin_locked": "Trop de codes PIN erronés : la saisie du PIN est bloquée, réessayez plus "
                  "tard.",
    "unregistered": "Ce téléphone ({number}) n'est plus inscrit.",
    "not_registered": "Ce téléphone n'est pas inscrit.",
    "balance": "Votre solde est de {amount} ({words}).",
    "invalid_number": "{number} n'est pas un numéro que la box peut appeler.",
    "emergency_number": "{number} est un numéro d'urgence : la box ne l'appelle pas. Appelez "
                        "le {number} depuis votre propre téléphone.",
    "usage_connect": "Écrivez {connect} <numéro> <numéro>.",
    "usage_reg": "Écrivez {reg} <compte> <PIN>.",
    "help": "Commandes : {cb} = me rappeler. {cb} <numéro> = me rappeler, puis ce numéro. "
            "{connect} <a> <b> = relier deux numéros. {reg} <compte> <PIN> = inscrire ce "
            "téléphone. {unreg} = le désinscrire. {bal} = solde. {lang} <code> = langue. "
            "{help} = cette liste.",
    "too_late": "Votre message est arrivé trop tard (il y a {age}) et n'a pas été exécuté. "
                "Veuillez le renvoyer.",
    "language_set": "Votre langue est maintenant : {language}.",
    "usage_lang": "Écrivez {lang} <code>, parmi : {codes}.",
    "language_unknown": "{code} n'est pas une langue de la box. Écrivez {lang} <code>, "
                        "parmi : {codes}.",
    "connect_summary": "{a} : {a_state}. {b} : {b_state}. Durée {talk_time}, coût {cost}.",
    "not_connected": "Non connecté : {reason}.",
}

# The call side's reasons for a refusal, quoted in the "refused" reply (the English ones
# and where they come from: sms_texts/en.py)
REASONS = {
    "blocklist": "le numéro est sur la liste de blocage",
    "running": "un appel est déjà en cours pour ce numéro",
    "account_locked": "le compte {name} est bloqué",
    "no_rate": "aucun tarif pour rappeler ce numéro",
    "no_credit": "le solde du compte {name} ne suffit pas pour un rappel",
    "unknown_callers": "les appelants inconnus ne sont pas rappelés",
    "unknown_limit": "limite de rappels vers ce numéro inconnu atteinte pour la dernière "
                     "heure ({given})",
    "not_dialled": "le numéro {number} ne peut pas être appelé",
    "unavailable": "la box ne peut pas le faire pour le moment",
    "locked": "le compte est bloqué : adressez-vous à l'administrateur.",
    "phone_taken": "ce téléphone est inscrit pour un autre compte. Envoyez d'abord {unreg}, "
                   "puis inscrivez-vous à nouveau.",
    "account_is_locked": "le compte est bloqué",
    "too_many_calls": "trop d'appels en cours pour ce compte",
    "no_rate_for": "aucun tarif pour {number}",
    "not_enough_credit": "crédit insuffisant",
}

# How a leg of a connect two ended, in the summary SMS (the English: sms_texts/en.py)
STATES = {
    "not called": "non appelé",
    "dialing": "numérotation",
    "alerting": "sonne",
    "connected": "connecté",
    "ended": "terminé",
    "busy": "occupé",
    "no answer": "pas de réponse",
    "rejected": "refusé",
    "failed": "échec",
    "no carrier": "ligne coupée",
    "network": "panne du réseau",
    "modem down": "modem hors service",
    "no free callback modem": "aucune ligne libre pour le rappel",
    "no free destination modem": "aucune ligne libre vers le destinataire",
}
