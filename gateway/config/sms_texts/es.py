"""SMS command words and replies in Spanish."""

WORDS = {
    "cb": ("LLAMAME", "LLAMADA"),
    "connect": ("CONECTAR",),
    "reg": ("REGISTRAR", "ALTA"),
    "unreg": ("BAJA",),
    "bal": ("SALDO",),
    "help": ("AYUDA",),
    "lang": ("IDIOMA",),
}

TEXTS = {
    "callback": "Le devolvemos la llamada ahora.",
    "callback_to": "Le devolvemos la llamada ahora y luego llamamos a {destination}.",
    "connect": "Conectando {a} y {b}. Al terminar la llamada recibirá un resumen por SMS.",
    "refused": "Lo sentimos, ahora no: {reason}",
    "register_first": "Regístrese primero: {reg} <cuenta> <PIN>",
    "registered": "Este teléfono ({number}) queda registrado para la cuenta {account}.",
    "wrong_pin": "Cuenta o PIN incorrectos.",
    "pin_locked": "Demasiados PIN incorrectos: la entrada del PIN está bloqueada, inténtelo "
                  "más tarde.",
    "unregistered": "Este teléfono ({number}) ya no está registrado.",
    "not_registered": "Este teléfono no está registrado.",
    "balance": "Su saldo es {amount} ({words}).",
    "invalid_number": "{number} no es un número al que se pueda llamar.",
    "usage_connect": "Escriba {connect} <número> <número>.",
    "usage_reg": "Escriba {reg} <cuenta> <PIN>.",
    "help": "Comandos: {cb} = devuélvame la llamada. {cb} <número> = llámeme y luego a ese "
            "número. {connect} <a> <b> = conectar dos números. {reg} <cuenta> <PIN> = "
            "registrar este teléfono. {unreg} = darlo de baja. {bal} = saldo. {lang} "
            "<código> = idioma. {help} = esta lista.",
    "too_late": "Su mensaje llegó demasiado tarde (hace {age}) y no se ejecutó. Envíelo de "
                "nuevo, por favor.",
    "language_set": "Su idioma es ahora: {language}.",
    "usage_lang": "Escriba {lang} <código>, uno de: {codes}.",
    "language_unknown": "{code} no es un idioma disponible. Escriba {lang} <código>, uno de: "
                        "{codes}.",
}
