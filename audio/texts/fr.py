"""French prompts (vous-form)."""

VOICE, SPEED = "fr-fr", 150

TEXTS = {
    "welcome": "Bienvenue.",
    "your_balance_is": "Votre solde est de",
    "enter_account": "Veuillez saisir votre numéro de compte, suivi de la touche dièse.",
    "enter_pin": "Veuillez saisir votre code PIN, suivi de la touche dièse.",
    "wrong_pin": "Ce code PIN est incorrect. Les touches déjà saisies ont été effacées.",
    "pin_locked": "Trop de codes PIN erronés. Votre compte est bloqué. Veuillez contacter "
                  "l'opérateur.",
    "account_locked": "Ce compte est bloqué. Veuillez contacter l'opérateur.",
    "enter_destination": "Veuillez saisir le numéro que vous souhaitez appeler, suivi de la "
                         "touche dièse.",
    "you_can_talk_for": "Vous pouvez parler pendant",
    "not_enough_credit": "Votre crédit est insuffisant pour cet appel.",
    "number_not_allowed": "Ce numéro ne peut pas être appelé. Les touches déjà saisies ont été "
                          "effacées.",
    "emergency_number": "Ce service n'appelle pas les numéros d'urgence. Raccrochez et "
                        "appelez le numéro d'urgence depuis votre propre téléphone.",
    "no_rate": "Cette destination n'est pas accessible depuis ce service. Les touches déjà "
               "saisies ont été effacées.",
    "destination_busy": "Le numéro que vous avez composé est occupé.",
    "no_answer": "Le numéro que vous avez composé ne répond pas.",
    "call_failed": "L'appel n'a pas pu aboutir.",
    "all_lines_busy": "Toutes les lignes sont occupées. Veuillez rappeler plus tard.",
    "goodbye": "Au revoir.",
    "box_closing": "Ce service s'arrête maintenant. Au revoir.",
    "service_unavailable": "Désolé, ce service n'est pas disponible pour le moment. Veuillez "
                           "rappeler plus tard.",
    "time_is_up": "Votre temps de communication est écoulé.",
    "connecting_you_to": "Nous vous mettons en relation avec le",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Test de ligne Callbox. Veuillez rester silencieux.",
    "voicetest_speak": "Après le bip, dites une phrase, puis appuyez sur 1 2 3.",
    "voicetest_done": "Merci. Au revoir.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Pour le français, appuyez sur le",
    "zero": "zéro", "one": "un", "two": "deux", "three": "trois", "four": "quatre",
    "five": "cinq", "six": "six", "seven": "sept", "eight": "huit", "nine": "neuf",
}
