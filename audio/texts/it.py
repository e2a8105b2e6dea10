"""Italian prompts (Lei-form)."""

VOICE, SPEED = "it", 150

TEXTS = {
    "welcome": "Benvenuti.",
    "your_balance_is": "Il suo credito residuo è di",
    "enter_account": "Digiti il numero del suo conto, seguito dal tasto cancelletto.",
    "enter_pin": "Digiti il suo PIN, seguito dal tasto cancelletto.",
    "wrong_pin": "Il PIN non è corretto. I tasti digitati in anticipo sono stati cancellati.",
    "pin_locked": "Troppi PIN errati. Il suo conto è bloccato. La preghiamo di contattare "
                  "l'operatore.",
    "account_locked": "Questo conto è bloccato. La preghiamo di contattare l'operatore.",
    "enter_destination": "Digiti il numero che desidera chiamare, seguito dal tasto cancelletto.",
    "you_can_talk_for": "Può parlare per",
    "not_enough_credit": "Il suo credito non è sufficiente per questa chiamata.",
    "number_not_allowed": "Questo numero non può essere chiamato. I tasti digitati in anticipo "
                          "sono stati cancellati.",
    "emergency_number": "Questo servizio non chiama i numeri di emergenza. Riagganci e "
                        "chiami il numero di emergenza dal suo telefono.",
    "no_rate": "Questa destinazione non è raggiungibile con questo servizio. I tasti digitati in "
               "anticipo sono stati cancellati.",
    "destination_busy": "Il numero chiamato è occupato.",
    "no_answer": "Il numero chiamato non risponde.",
    "call_failed": "Non è stato possibile effettuare la chiamata.",
    "all_lines_busy": "Tutte le linee sono occupate. La preghiamo di riprovare più tardi.",
    "goodbye": "Arrivederci.",
    "box_closing": "Questo servizio si sta chiudendo. Arrivederci.",
    "service_unavailable": "Siamo spiacenti, il servizio non è al momento disponibile. La "
                           "preghiamo di riprovare più tardi.",
    "time_is_up": "Il tempo a sua disposizione è terminato.",
    "connecting_you_to": "La stiamo collegando con il numero",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Test della linea Callbox. La preghiamo di restare in silenzio.",
    "voicetest_speak": "Dopo il segnale acustico, dica una frase, poi prema 1 2 3.",
    "voicetest_done": "Grazie. Arrivederci.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Per l'italiano, premere il",
    "zero": "zero", "one": "uno", "two": "due", "three": "tre", "four": "quattro",
    "five": "cinque", "six": "sei", "seven": "sette", "eight": "otto", "nine": "nove",
}
