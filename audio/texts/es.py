"""Spanish prompts (usted-form, Spain: "almohadilla" for the # key)."""

VOICE, SPEED = "es", 150

TEXTS = {
    "welcome": "Le damos la bienvenida.",
    "your_balance_is": "Su saldo es de",
    "enter_account": "Por favor, introduzca su número de cuenta seguido de la tecla almohadilla.",
    "enter_pin": "Por favor, introduzca su PIN seguido de la tecla almohadilla.",
    "wrong_pin": "El PIN no es correcto. Las teclas pulsadas de antemano se han borrado.",
    "pin_locked": "Demasiados PIN incorrectos. Su cuenta está bloqueada. Por favor, póngase en "
                  "contacto con el operador.",
    "account_locked": "Esta cuenta está bloqueada. Por favor, póngase en contacto con el "
                      "operador.",
    "enter_destination": "Por favor, marque el número al que desea llamar seguido de la tecla "
                         "almohadilla.",
    "you_can_talk_for": "Puede hablar durante",
    "not_enough_credit": "Su saldo no es suficiente para esta llamada.",
    "number_not_allowed": "No se puede llamar a este número. Las teclas pulsadas de antemano se "
                          "han borrado.",
    "emergency_number": "Este servicio no llama a números de emergencia. Cuelgue y llame al"
                        " número de emergencia desde su propio teléfono.",
    "no_rate": "Este destino no está disponible en este servicio. Las teclas pulsadas de antemano "
               "se han borrado.",
    "destination_busy": "El número al que llama está ocupado.",
    "no_answer": "El número al que llama no contesta.",
    "call_failed": "No se ha podido establecer la llamada.",
    "all_lines_busy": "Todas las líneas están ocupadas. Por favor, inténtelo de nuevo más tarde.",
    "goodbye": "Adiós.",
    "box_closing": "Este servicio se cierra ahora. Adiós.",
    "service_unavailable": "Lo sentimos, este servicio no está disponible en este momento. Por "
                           "favor, inténtelo de nuevo más tarde.",
    "time_is_up": "Su tiempo se ha agotado.",
    "connecting_you_to": "Le estamos conectando con el",
    # the line test (callbox voicetest): the box calls a phone of the owner
    "voicetest_intro": "Prueba de línea de Callbox. Por favor, permanezca en silencio.",
    "voicetest_speak": "Después del tono, diga una frase y luego pulse 1 2 3.",
    "voicetest_done": "Gracias. Adiós.",
    # the language menu: this language's option, its key said after it
    "menu_option": "Para español, pulse el",
    "zero": "cero", "one": "uno", "two": "dos", "three": "tres", "four": "cuatro",
    "five": "cinco", "six": "seis", "seven": "siete", "eight": "ocho", "nine": "nueve",
}
