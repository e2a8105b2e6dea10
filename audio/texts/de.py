"""German prompts (Sie-form, as German phone services speak)."""

VOICE, SPEED = "de", 150

TEXTS = {
    "welcome": "Willkommen.",
    "your_balance_is": "Ihr Guthaben beträgt",
    "enter_account": "Bitte geben Sie Ihre Kontonummer ein und drücken Sie danach die Rautetaste.",
    "enter_pin": "Bitte geben Sie Ihre PIN ein und drücken Sie danach die Rautetaste.",
    "wrong_pin": "Die PIN ist nicht korrekt. Bereits gedrückte Tasten wurden gelöscht.",
    "pin_locked": "Zu viele falsche PIN-Eingaben. Ihr Konto ist gesperrt. Bitte wenden Sie sich "
                  "an den Betreiber.",
    "account_locked": "Dieses Konto ist gesperrt. Bitte wenden Sie sich an den Betreiber.",
    "enter_destination": "Bitte geben Sie die gewünschte Rufnummer ein und drücken Sie danach "
                         "die Rautetaste.",
    "you_can_talk_for": "Ihre verfügbare Gesprächszeit beträgt",
    "not_enough_credit": "Ihr Guthaben reicht für diesen Anruf nicht aus.",
    "number_not_allowed": "Diese Rufnummer kann nicht angerufen werden. Bereits gedrückte Tasten "
                          "wurden gelöscht.",
    "emergency_number": "Dieser Dienst ruft keine Notrufnummern an. Bitte legen Sie auf und"
                        " wählen Sie den Notruf von Ihrem eigenen Telefon.",
    "no_rate": "Dieses Ziel ist über diesen Dienst nicht erreichbar. Bereits gedrückte Tasten "
               "wurden gelöscht.",
    "destination_busy": "Der gewünschte Teilnehmer ist besetzt.",
    "no_answer": "Der gewünschte Teilnehmer meldet sich nicht.",
    "call_failed": "Die Verbindung konnte nicht hergestellt werden.",
    "all_lines_busy": "Alle Leitungen sind belegt. Bitte versuchen Sie es später noch einmal.",
    "goodbye": "Auf Wiederhören.",
    "box_closing": "Dieser Dienst wird jetzt beendet. Auf Wiederhören.",
    "service_unavailable": "Dieser Dienst ist leider gerade nicht verfügbar. Bitte versuchen Sie "
                           "es später noch einmal.",
    "time_is_up": "Ihre Gesprächszeit ist abgelaufen.",
    "connecting_you_to": "Sie werden verbunden mit",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Callbox-Leitungstest. Bitte bleiben Sie still.",
    "voicetest_speak": "Sprechen Sie nach dem Signalton einen Satz und drücken Sie dann 1 2 3.",
    "voicetest_done": "Vielen Dank. Auf Wiederhören.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Für Deutsch drücken Sie die",
    "zero": "null", "one": "eins", "two": "zwei", "three": "drei", "four": "vier",
    "five": "fünf", "six": "sechs", "seven": "sieben", "eight": "acht", "nine": "neun",
}
