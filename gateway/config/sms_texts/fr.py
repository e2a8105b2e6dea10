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
}
